#!/usr/bin/env bash
# What idle captures cost: N pcapctl sessions on one host capturing an
# interface nothing is sent on, each agent's memory beyond its kernel ring,
# the ring itself, and its wake-ups per second.
#
#   sudo bash bench/idle.sh [PCAPCTL] [N] [BUFFER_BYTES]
#
# The captures run on veth-cap in a namespace of their own (IPv6 off, static
# neighbours: no traffic at all), state directory and destination on tmpfs.
# After a settling pause each agent's /proc/PID/smaps is read: the ring is its
# mapping of the packet socket ("socket:[...]"); *beyond the ring* is the
# agent's PSS (smaps_rollup) minus that mapping's PSS.  Wake-ups are the
# agent's context switches (all threads, voluntary + involuntary) over
# IDLE_WATCH_S seconds.  MemAvailable before and after gives what the host
# gave up per session, kernel ring included.  Prints a markdown table and
# writes bench/results/<stamp>-idle/idle.csv.  Bounded: N <= 200, captures
# stopped and deleted on exit.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
PCAPCTL=${1:-$(dirname "$BENCH_DIR")/.build/release/pcapctl}
N=${2:-100}
BUFFER=${3:-}
WATCH_S=${IDLE_WATCH_S:-10}
SETTLE_S=${IDLE_SETTLE_S:-3}
[[ $(id -u) -eq 0 ]] || die "run as root"
((N >= 1 && N <= 200)) || die "N must be 1..200"
OUT="$BENCH_DIR/results/$(date -u +%Y%m%dT%H%M%SZ)-idle"
mkdir -p "$OUT"
WORK=$(mktemp -d /dev/shm/pcb-idle.XXXXXX)
export PCAPCTL_HOME=$WORK/home PCAPCTL_CAPTURES_ROOT=$WORK
mkdir -p "$PCAPCTL_HOME"
cleanup() {
    local i
    for ((i = 1; i <= N; i++)); do
        "$PCAPCTL" delete -n "idle-$i" -l idle >/dev/null 2>&1 || true
    done
    netns_teardown
    rm -rf -- "$WORK"
}
trap cleanup EXIT
netns_setup

mem_available_kib() { awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo; }
switches() { # PID KIND: voluntary | nonvoluntary
    cat /proc/"$1"/task/*/status 2>/dev/null | awk -v k="$2_ctxt_switches:" '$1 == k { s += $2 } END { print s + 0 }'
}

sync
before=$(mem_available_kib)
bufopt=()
[[ -n $BUFFER ]] && bufopt=(--buffer-size "$BUFFER")
# Ten creates at a time.
for ((i = 1; i <= N; i++)); do
    ip netns exec "$NS_CAP" "$PCAPCTL" create -n "idle-$i" -l idle --file-path "$WORK/idle-$i.cap" \
        --interface "$IF_CAP" --time-limit 0 --capture-limit 0 "${bufopt[@]}" >/dev/null &
    ((i % 10 == 0)) && wait
done
wait
sleep "$SETTLE_S"
after=$(mem_available_kib)

declare -a pids
for ((i = 1; i <= N; i++)); do
    pid=$("$PCAPCTL" show-status -n "idle-$i" -l idle | python3 -c 'import json, sys; print(json.load(sys.stdin)["agentPid"])')
    pids+=("$pid")
done
# Each agent's counters are read twice, WATCH_S apart, with the moment of each
# read kept, so the time the loop itself takes does not inflate the rates.
declare -A v0 n0 t0 v1 n1 t1
for pid in "${pids[@]}"; do v0[$pid]=$(switches "$pid" voluntary) n0[$pid]=$(switches "$pid" nonvoluntary) t0[$pid]=$(now_us); done
sleep "$WATCH_S"
for pid in "${pids[@]}"; do v1[$pid]=$(switches "$pid" voluntary) n1[$pid]=$(switches "$pid" nonvoluntary) t1[$pid]=$(now_us); done
printf 'pid,pss_kib,ring_kib,ring_pss_kib,beyond_ring_pss_kib,rss_kib,private_dirty_kib,wakeups_per_s,preemptions_per_s\n' >"$OUT/idle.csv"
for pid in "${pids[@]}"; do
    elapsed=$((t1[$pid] - t0[$pid]))
    read -r pss rss dirty < <(awk '$1 == "Pss:" { p = $2 } $1 == "Rss:" { r = $2 } $1 == "Private_Dirty:" { d = $2 } END { print p, r, d }' "/proc/$pid/smaps_rollup")
    read -r ring ring_pss < <(awk '/^[0-9a-f]+-[0-9a-f]+ / { insock = ($6 ~ /^socket:/) } insock && $1 == "Size:" { s += $2 } insock && $1 == "Pss:" { p += $2 } END { print s + 0, p + 0 }' "/proc/$pid/smaps")
    printf '%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$pid" "$pss" "$ring" "$ring_pss" "$((pss - ring_pss))" "$rss" "$dirty" \
        "$(awk -v a="${v0[$pid]}" -v b="${v1[$pid]}" -v t="$elapsed" 'BEGIN { printf "%.2f", (b - a) / t * 1e6 }')" \
        "$(awk -v a="${n0[$pid]}" -v b="${n1[$pid]}" -v t="$elapsed" 'BEGIN { printf "%.2f", (b - a) / t * 1e6 }')" >>"$OUT/idle.csv"
done
python3 - "$OUT/idle.csv" "$N" "$before" "$after" "$PCAPCTL" "${BUFFER:-default}" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
n, before, after = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def col(k): return [float(r[k]) for r in rows]
def fmt(xs, scale=1024, unit="MiB"):
    return f"{statistics.median(xs) / scale:.2f} {unit} (max {max(xs) / scale:.2f})"
print(f"{n} idle sessions, pcapctl {sys.argv[5]}, buffer {sys.argv[6]}")
print()
print("| per agent | median (max) |")
print("| --- | ---: |")
print(f"| PSS beyond the ring (smaps_rollup Pss − ring Pss) | {fmt(col('beyond_ring_pss_kib'))} |")
print(f"| private dirty memory | {fmt(col('private_dirty_kib'))} |")
print(f"| RSS (ring included) | {fmt(col('rss_kib'))} |")
print(f"| kernel ring (packet socket mapping) | {fmt(col('ring_kib'))} |")
print(f"| wake-ups per second (voluntary context switches, all threads) | {statistics.median(col('wakeups_per_s')):.2f} (max {max(col('wakeups_per_s')):.2f}) |")
print(f"| preemptions per second (involuntary switches: other tenants) | {statistics.median(col('preemptions_per_s')):.2f} (max {max(col('preemptions_per_s')):.2f}) |")
print(f"| host memory given up (MemAvailable drop / {n}) | {(before - after) / n / 1024:.2f} MiB |")
PY
echo "raw: $OUT/idle.csv"
