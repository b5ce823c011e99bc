#!/usr/bin/env bash
# Installs what pcapctl needs to build, run and be tested on Debian/Ubuntu: libpcap's headers, the capture
# tools the tests read files back with, iproute2 for network namespaces, and zsh, fish and groff, which
# the tests run the generated completions and man page through. Idempotent; needs root.
set -euo pipefail

packages=(libpcap-dev pkg-config tcpdump tshark wireshark-common iproute2 procps util-linux libcap2-bin strace python3 zsh fish groff-base)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "install-deps: need root to install: ${missing[*]}" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # tshark asks whether non-root users may capture; answer no, without a prompt.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: the Swift 6 toolchain is not on PATH; install it from swift.org (it is not a Debian package)" >&2
    exit 1
fi

# Python packages the tests use as oracles, pinned: the JMESPath reference implementation (what az's
# --query runs) and az's own output formatters (knack, with the tabulate, PyYAML, Pygments and wcwidth
# that azure-cli 2.91.0 renders with).
python_packages=(jmespath==1.0.1 knack==0.14.0 tabulate==0.10.0 PyYAML==6.0.3 Pygments==2.20.0 wcwidth==0.7.0)
if ! python3 - "${python_packages[@]}" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(any(version(name) != pinned for name, pinned in (spec.split("==") for spec in sys.argv[1:])))
PY
then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends python3 python3-pip >/dev/null
    fi
    echo "install-deps: installing ${python_packages[*]}"
    # Debian marks its python3 externally managed; these pins are test oracles, not system tools.
    PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "${python_packages[@]}"
fi

# The server tests' Python clients (azure-cli is large: ~2 min to install), in one venv shared by every
# checkout. Skipped when the venv already holds exactly the pinned requirements.
venv=${PCAPCTL_VENV:-/opt/pcapctl-venv}
requirements="$(dirname "$0")/../Tests/ServerTests/requirements.txt"
stamp="$venv/.pcapctl-requirements"
if ! cmp -s "$requirements" "$stamp" 2>/dev/null; then
    echo "install-deps: installing the server tests' Python clients into $venv"
    started=$(date +%s)
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$stamp"
    echo "install-deps: Python clients installed in $(($(date +%s) - started)) s"
fi
