#!/usr/bin/env bash
# Installs what pcapctl needs to build, run and be tested on Debian/Ubuntu: libpcap's headers, the capture
# tools the tests read files back with, and iproute2 for network namespaces. Idempotent; needs root.
set -euo pipefail

packages=(libpcap-dev pkg-config tcpdump tshark wireshark-common iproute2 procps util-linux libcap2-bin strace python3)
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
