#!/usr/bin/env bash
# Instruction counts of the pcapctl capture agent, per captured packet, under
# valgrind's callgrind: repeatable on a shared, noisy machine where CPU times
# are not.  Counts user-space instructions only (the kernel's work in write(2)
# and in the ring is not in them; bench/run.sh measures CPU time for that).
#
#   sudo bash bench/callgrind.sh [PCAPCTL] [SIZE] [PACKETS] [PPS]
#
# Sends PACKETS frames of SIZE bytes at PPS (trafgen, paced: the agent runs
# ~50x slower under valgrind) through a veth pair into a capture with a tmpfs
# destination, then prints the agent's total instructions, instructions per
# packet, and its system calls by count; leaves callgrind.out.* in
# bench/results/callgrind-<stamp>/ for callgrind_annotate.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
PCAPCTL=${1:-$(dirname "$BENCH_DIR")/.build/release/pcapctl}
SIZE=${2:-1500}
PACKETS=${3:-20000}
PPS=${4:-4000}
[[ $(id -u) -eq 0 ]] || die "run as root"
command -v valgrind >/dev/null || die "valgrind is not installed (apt-get install valgrind)"
command -v trafgen >/dev/null || die "trafgen is not installed (apt-get install netsniff-ng)"
OUT="$BENCH_DIR/results/callgrind-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
WORK=$(mktemp -d /dev/shm/pcb-cg.XXXXXX)
trap 'netns_teardown; rm -rf -- "$WORK"' EXIT
netns_setup
# Paced trafgen runs one process, which it pins to CPU 0 itself whatever
# taskset says; for instruction counts the placement does not matter.
printf '{ eth(da=%s, sa=%s, type=0x0800), ipv4(saddr=%s, daddr=%s, ttl=64), udp(sport=dinc(10000, 11023), dport=9), fill(0x41, %d) }\n' \
    "$MAC_CAP" "$MAC_GEN" "$IP_GEN" "$IP_CAP" "$((SIZE - 42))" >"$WORK/frame.trafgen"
export PCAPCTL_HOME=$WORK/home PCAPCTL_CAPTURES_ROOT=$WORK
mkdir -p "$PCAPCTL_HOME"
# --trace-children: create re-executes itself as the agent; only the agent's
# profile matters (the one that captured).
ip netns exec "$NS_CAP" taskset -c 0 valgrind --tool=callgrind --trace-children=yes \
    --callgrind-out-file="$OUT/callgrind.out.%p" --collect-systime=nsec \
    "$PCAPCTL" create -n cg -l bench --file-path "$WORK/cg.cap" --interface "$IF_CAP" \
    --time-limit 0 --capture-limit 0 --filters '[{"protocol":"UDP","localPort":"9"}]' >"$OUT/create.out" 2>"$OUT/create.err"
sleep 1
ip netns exec "$NS_GEN" trafgen -i "$WORK/frame.trafgen" -o "$IF_GEN" -n "$PACKETS" -P 1 -b "${PPS}pps" >"$OUT/trafgen.out" 2>&1
sleep 1
"$PCAPCTL" stop -n cg -l bench >/dev/null 2>"$OUT/stop.err" || cat "$OUT/stop.err" >&2
"$PCAPCTL" show-status -n cg -l bench >"$OUT/status.json" || true
captured=$(json_get "$OUT/status.json" packetsCaptured)
# The agent's profile is the one whose command line has __agent.
agent=$(grep -l -- '__agent' "$OUT"/callgrind.out.* | head -n 1)
[[ -n $agent ]] || die "no agent profile in $OUT"
total=$(awk '/^summary:/ { print $2 }' "$agent")
printf 'size %s B, %s packets captured, agent instructions %s, per packet %s\n' "$SIZE" "${captured:-?}" "$total" \
    "$(awk -v t="$total" -v n="${captured:-0}" 'BEGIN { if (n > 0) printf "%.0f", t / n; else print "?" }')"
callgrind_annotate "$agent" 2>/dev/null | sed -n '1,40p' >"$OUT/annotate.txt" || true
sed -n '1,40p' "$OUT/annotate.txt"
echo "profiles: $OUT"
