#!/usr/bin/env bash
# Continuous capture (issue 13): does rotation cost packets or CPU? Runs, on the same bursts, pcapctl
# writing one file, pcapctl's ring of 1 MiB files, dumpcap -b filesize:1024,files:N and tcpdump
# -C 1 -W N, and prints one TSV line per run, with files on tmpfs and on disk. After each single-file run
# the file is deleted and the CPU of that deletion recorded: a ring deletes as it goes, so "one file, then
# deleted" is the like-for-like cost. See docs/benchmarks.md ("Continuous capture").
#
#   sudo bash bench/ring.sh            # BENCH_RING_* knobs below; what `make bench-ring` runs
#
# Traffic stays inside two namespaces made here (198.18.0.1 -> 198.18.0.2), torn down on exit.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

# Packets per burst, per frame size (SIZE:N ..., or one N for every size). 200,000 frames of 64 B fill 16
# files of 1 MiB, fewer than a ring keeps: nothing would rotate out, and the run would measure a ring's
# start, not its rotation. 2,000,000 frames rotated about 140 files out but cost a capturer only 0.2 s,
# so that one file's runs spread by ±25 %; 6,000,000 (about 460 files) are three times as long.
read -ra PACKETS_BY_SIZE <<<"${BENCH_RING_PACKETS:-64:6000000 1500:200000}"
packets_for() { # SIZE
    value_for_size "$1" "${PACKETS_BY_SIZE[@]}" ||
        die "BENCH_RING_PACKETS (${PACKETS_BY_SIZE[*]}) gives no packet count for $1-byte frames"
}
REPS=${BENCH_RING_REPS:-3}
read -ra SIZES <<<"${BENCH_RING_SIZES:-64 1500}"
read -ra DESTS <<<"${BENCH_RING_DESTS:-tmpfs disk}"
GEN=${BENCH_RING_GEN:-trafgen}             # trafgen (as the main harness) or tcpreplay
FILES=${BENCH_RING_FILES:-20}             # files kept by every ring (fewer than a burst fills: rotation deletes)
PCAPCTL=${PCAPCTL:-$REPO_DIR/.build/release/pcapctl}
CAP_CPU=${BENCH_CAP_CPU:-0}
GEN_CPU=${BENCH_GEN_CPU:-1}
PCAP_PKTS=1000
# The TSV goes to the terminal and to RESULTS/ring.tsv; bench/ring_report.py then prints its summary.
RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}/$(date -u +%Y%m%dT%H%M%SZ)-ring

WORK=$(mktemp -d /dev/shm/pcapctl-ring-bench.XXXXXX)
DISK_WORK=$(mktemp -d /var/tmp/pcapctl-ring-bench.XXXXXX)
BIN=$WORK/bin
cleanup() { netns_teardown; rm -rf "$WORK" "$DISK_WORK"; }
trap cleanup EXIT INT TERM
mkdir -p "$BIN" "$WORK/pcaps"
cc -O2 -Wall -Wextra -o "$BIN/mkpcap" "$BENCH_DIR/mkpcap.c"
netns_setup
for size in "${SIZES[@]}"; do
    "$BIN/mkpcap" "$WORK/pcaps/udp-$size.pcap" "$PCAP_PKTS" "$size" "$MAC_GEN" "$MAC_CAP" "$IP_GEN" "$IP_CAP" 9
    # trafgen pins its worker N to CPU N whatever taskset says: GEN_CPU+1 workers, the frame on GEN_CPU's.
    printf 'cpu(%s): { eth(da=%s, sa=%s, type=0x0800), ipv4(saddr=%s, daddr=%s, ttl=64), udp(sport=dinc(10000, 11023), dport=9), fill(0x41, %d) }\n' \
        "$GEN_CPU" "$MAC_CAP" "$MAC_GEN" "$IP_GEN" "$IP_CAP" "$((size - 42))" >"$WORK/pcaps/udp-$size.trafgen"
done

# send SIZE: one burst of PACKETS frames at top speed.
send() {
    PACKETS=$(packets_for "$1")
    if [[ $GEN == trafgen ]]; then
        ip netns exec "$NS_GEN" taskset -c "$GEN_CPU" trafgen -i "$WORK/pcaps/udp-$1.trafgen" -o "$IF_GEN" -n "$PACKETS" \
            -P "$((GEN_CPU + 1))" >"$WORK/gen.log" 2>&1
    else
        ip netns exec "$NS_GEN" taskset -c "$GEN_CPU" tcpreplay -i "$IF_GEN" -K --loop=$((PACKETS / PCAP_PKTS)) --topspeed \
            "$WORK/pcaps/udp-$1.pcap" >"$WORK/gen.log" 2>&1
    fi
}

# An array, not a function: a backgrounded simple command is exec'ed in place, so $! is the capturer.
IN_CAP=(ip netns exec "$NS_CAP" taskset -c "$CAP_CPU")
pcapctl() { PCAPCTL_HOME=$DIR/.home PCAPCTL_CAPTURES_ROOT=$DIR "${IN_CAP[@]}" "$PCAPCTL" "$@" </dev/null; }
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# start TOOL: sets PID (the process that captures) and waits until it is ready.
start() {
    case $1 in
    pcapctl-file | pcapctl-ring)
        local -a mode=(--file-path "$DIR/c.cap" --time-limit 0 --capture-limit 0)
        [[ $1 == pcapctl-ring ]] && mode=(--continuous-capture true --local-path "$DIR/c.cap"
            --capture-settings "{\"fileCount\":$FILES,\"fileSizeInBytes\":1048576,\"sessionTimeLimitInSeconds\":0}")
        pcapctl create -n c --interface "$IF_CAP" --filters '[{"protocol":"UDP","localPort":"9"}]' "${mode[@]}" -o none
        PID=$(pcapctl show-status -n c | json_field agentPid)
        ;;
    dumpcap-ring)
        "${IN_CAP[@]}" dumpcap -i "$IF_CAP" -P -q -f "udp port 9" -b filesize:1024 -b files:"$FILES" -w "$DIR/d.pcap" 2>"$DIR/err" </dev/null &
        PID=$!
        wait_capturer_ready "$PID" "$DIR/err" "Capturing on" 20
        ;;
    tcpdump-ring)
        "${IN_CAP[@]}" tcpdump -i "$IF_CAP" -n -Z root -C 1 -W "$FILES" -w "$DIR/t.pcap" udp port 9 2>"$DIR/err" </dev/null &
        PID=$!
        wait_capturer_ready "$PID" "$DIR/err" "listening on" 20
        ;;
    esac
}

# stop TOOL: sets CPU (seconds the capturer used for the burst) and GOT (packets it says it wrote).
stop() {
    CPU=$(awk -v a="$(proc_cpu_s "$PID")" -v b="$CPU0" 'BEGIN { printf "%.3f", a - b }')
    case $1 in
    pcapctl-*)
        pcapctl stop -n c
        pcapctl show-status -n c >"$WORK/status.json"
        GOT=$(json_field packetsCaptured <"$WORK/status.json")
        [[ $(json_field stopReason <"$WORK/status.json") == StopRequested ]] ||
            warn "$1 ended early: $(json_field stopReason <"$WORK/status.json"): $(json_field errorMessage <"$WORK/status.json")"
        ;;
    dumpcap-ring)
        kill -INT "$PID"; wait "$PID" || true
        GOT=$(sed -nE 's/.*Packets captured: ([0-9]+).*/\1/p; s/^Packets: ([0-9]+).*/\1/p' "$DIR/err" | tail -n 1)
        ;;
    tcpdump-ring)
        kill -INT "$PID"; wait "$PID" || true
        GOT=$(sed -nE 's/^([0-9]+) packets captured.*/\1/p' "$DIR/err" | tail -n 1)
        ;;
    esac
}

read -ra TOOLS <<<"${BENCH_RING_TOOLS:-pcapctl-file pcapctl-ring dumpcap-ring tcpdump-ring}"
# One TSV line per run, every round of every cell.
run_rounds() {
    printf 'dest\tsize\trep\ttool\tsent\twritten\tfraction\tcpu_s\tcpu_ns_per_packet\tdelete_cpu_s\n'
    for ((rep = 1; rep <= REPS; rep++)); do
        # Every other round runs the tools in reverse, so neither the file nor the ring always goes first.
        order=("${TOOLS[@]}")
        ((rep % 2 == 0)) && for ((i = 0; i < ${#TOOLS[@]}; i++)); do order[i]=${TOOLS[${#TOOLS[@]} - 1 - i]}; done
        for dest in "${DESTS[@]}"; do
            for size in "${SIZES[@]}"; do
                for tool in "${order[@]}"; do
                    DIR=$([[ $dest == disk ]] && echo "$DISK_WORK" || echo "$WORK")/run && rm -rf "$DIR" && mkdir -p "$DIR"
                    # No capturer competes with the previous one's writeback.
                    sync -f "$DIR"
                    start "$tool"
                    sleep 0.3
                    CPU0=$(proc_cpu_s "$PID")
                    send "$size"
                    sleep 1.5
                    stop "$tool"
                    DELETE=-
                    # What deleting the single file costs: a ring pays it for each file it rotates out.
                    [[ $tool == pcapctl-file ]] && DELETE=$(file_op_cpu_s unlink "$DIR/c.cap")
                    awk -v d="$dest" -v s="$size" -v r="$rep" -v t="$tool" -v n="$PACKETS" -v w="${GOT:-0}" -v c="$CPU" -v x="$DELETE" \
                        'BEGIN { printf "%s\t%s\t%s\t%s\t%d\t%d\t%.4f\t%s\t%.0f\t%s\n", d, s, r, t, n, w, w / n, c, (w > 0 ? c * 1e9 / w : 0), x }'
                done
            done
        done
    done
}
mkdir -p "$RESULTS"
run_rounds | tee "$RESULTS/ring.tsv"
echo
python3 "$BENCH_DIR/ring_report.py" "$RESULTS/ring.tsv" | tee "$RESULTS/summary.md" || warn "a ring target is not met (FAIL above)"
