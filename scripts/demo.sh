#!/usr/bin/env bash
# A real capture, start to finish: pcapctl captures its own UDP traffic on loopback for three seconds,
# then shows its status and a summary of the file it wrote. State and files go to a temporary directory.
set -euo pipefail

pcapctl=${PCAPCTL:-$(dirname "$0")/../.build/debug/pcapctl}
workdir=$(mktemp -d /tmp/pcapctl-demo.XXXXXX)
export PCAPCTL_HOME=$workdir/state PCAPCTL_CAPTURES_ROOT=$workdir/captures
trap '"$pcapctl" stop -n demo >/dev/null 2>&1 || true' EXIT

echo "== pcapctl create (loopback, 3 s, UDP to local port 9999)"
"$pcapctl" create -n demo --interface lo --time-limit 3 --file-path "$workdir/captures/demo.cap" \
    --filters '[{"protocol":"UDP","localPort":"9999"}]' -o table
echo "== sending 50 UDP datagrams to 127.0.0.1:9999"
for i in $(seq 1 50); do echo "pcapctl demo datagram $i" >/dev/udp/127.0.0.1/9999; done
"$pcapctl" wait -n demo --timeout 15
echo "== pcapctl show-status"
"$pcapctl" show-status -n demo
echo "== the capture file: capinfos, then tcpdump"
ls -l "$workdir/captures/demo.cap"
capinfos -t -E -c -s -l -u "$workdir/captures/demo.cap"
tcpdump -nn -r "$workdir/captures/demo.cap" 2>/dev/null | head -n 5
echo "... $(tcpdump -nn -r "$workdir/captures/demo.cap" 2>/dev/null | wc -l) packets in $workdir/captures/demo.cap"
