#!/usr/bin/env bash
# Install what the benchmark harness needs, if it is missing.
# Idempotent: when every tool is present it installs nothing and does not
# touch the package index.  CI machines are fresh, so run.sh calls this first.
set -euo pipefail

# command-or-file -> Debian package that provides it
declare -A PKG_FOR=(
    [tcpdump]=tcpdump
    [dumpcap]=wireshark-common
    [capinfos]=wireshark-common
    [tcpreplay]=tcpreplay
    [ip]=iproute2
    [taskset]=util-linux
    [timeout]=coreutils
    [stdbuf]=coreutils
    [trafgen]=netsniff-ng
    [netsniff-ng]=netsniff-ng
    [cc]=gcc
    [/usr/include/pcap/pcap.h]=libpcap-dev
    [/usr/include/stdio.h]=libc6-dev
)

missing=()
for what in "${!PKG_FOR[@]}"; do
    if [[ $what == /* ]]; then
        [[ -e $what ]] && continue
    else
        command -v "$what" >/dev/null 2>&1 && continue
    fi
    missing+=("${PKG_FOR[$what]}")
done
# report.py needs the full standard library (csv, statistics), which
# python3-minimal alone does not ship.
if ! python3 -c 'import csv, json, statistics, re' >/dev/null 2>&1; then
    missing+=(python3)
fi

if ((${#missing[@]} == 0)); then
    echo "deps: all benchmark tools present"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "deps: missing packages (${missing[*]}) and not root; install them first" >&2
    exit 1
fi

mapfile -t unique < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "deps: installing ${unique[*]}"
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; keep the default (no).
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${unique[@]}"
