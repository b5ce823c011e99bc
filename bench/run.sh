#!/usr/bin/env bash
# pcapctl benchmark harness.  See docs/benchmarks.md for the method.
#
#   sudo bash bench/run.sh                 # what `make bench` runs
#   BENCH_SMOKE=1 sudo bash bench/run.sh   # what `make bench-smoke` runs
#
# All traffic stays inside two network namespaces created here and joined by
# a veth pair (198.18.0.1 -> 198.18.0.2); everything is torn down on exit,
# failure or Ctrl-C.  Results land in bench/results/<stamp>-<mode>/.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
# shellcheck source=bench/capturers.sh
source "$BENCH_DIR/capturers.sh"

# ------------------------------------------------------------------ knobs
SMOKE=${BENCH_SMOKE:-0}
if [[ $SMOKE == 1 ]]; then
    # A tiny burst through every code path; the numbers mean nothing.
    : "${BENCH_PACKETS:=2000}" "${BENCH_REPS:=1}" "${BENCH_SIZES:=512}" "${BENCH_DESTS:=tmpfs}"
    : "${BENCH_CTL_REPS:=3}" "${BENCH_STORE_N:=10}" "${BENCH_UPDATE_DOCS:=0}" "${BENCH_DRAIN_S:=1.2}"
    # netsniff-ng's default ring (sized from the link speed: ~2.5 GB on veth)
    # takes ~10 s to set up; its -B run covers the same code path.
    : "${BENCH_TOOLS:=pcapctl pcapctl-B tcpdump tcpdump-B dumpcap dumpcap-B netsniff-ng-B pcount-B}"
fi
# Packets per burst: one N for every frame size, or SIZE:N pairs. 64-byte bursts are five times longer:
# 200,000 of them take 0.5 s and cost a capturer 20-30 ms, so start-up (which every row also reports
# apart) would decide the per-packet figures (docs/benchmarks.md, "Burst length").
read -ra PACKETS_BY_SIZE <<<"${BENCH_PACKETS:-64:1000000 1500:200000}"
REPS=${BENCH_REPS:-3}                 # repetitions of the whole matrix
read -ra SIZES <<<"${BENCH_SIZES:-64 1500}"
read -ra DESTS <<<"${BENCH_DESTS:-tmpfs disk}"
SNAPLEN=${BENCH_SNAPLEN:-262144}
BUF_MIB=${BENCH_BUF_MIB:-32}          # kernel buffer of every *-B capturer
DRAIN_S=${BENCH_DRAIN_S:-1.5}         # minimum pause after a burst (> tcpdump's 1 s timeout)
DRAIN_MAX_S=${BENCH_DRAIN_MAX_S:-20}
SETTLE_S=${BENCH_SETTLE_S:-0.3}       # pause between "ready" and the burst
WARM_MIB=${BENCH_WARM_MIB:-64}        # ring built and freed just before each capturer starts (bench/warmring.c); 0: none
GEN=${BENCH_GEN:-trafgen}             # trafgen | tcpreplay (paced runs always use tcpreplay)
GEN_CPU=${BENCH_GEN_CPU:-1}
CAP_CPU=${BENCH_CAP_CPU:-0}
PCAPCTL=${PCAPCTL:-$REPO_DIR/.build/release/pcapctl}
PCAPCTL_LOCATION=bench
PCAPCTL_REQUIRED=${PCAPCTL_REQUIRED:-0}
CTL=${BENCH_CTL:-1}                   # control-plane measurements
CTL_REPS=${BENCH_CTL_REPS:-11}
if [[ ${BENCH_FULL:-0} == 1 ]]; then DEFAULT_STORE_N="100 1000 10000"; else DEFAULT_STORE_N="100 1000"; fi
read -ra STORE_N <<<"${BENCH_STORE_N:-$DEFAULT_STORE_N}"
STORE_CONC=${BENCH_STORE_CONC:-100}
SWEEP=${BENCH_SWEEP:-0}
read -ra SWEEP_RATES <<<"${BENCH_SWEEP_RATES:-50000 100000 150000 0}"
read -ra SWEEP_SIZES <<<"${BENCH_SWEEP_SIZES:-${SIZES[*]}}"
SWEEP_REPS=${BENCH_SWEEP_REPS:-3}
SWEEP_STALL=${BENCH_SWEEP_STALL:-0}   # 1: stall the capture CPU during the sweep too
BUFSWEEP=${BENCH_BUFSWEEP:-0}
read -ra BUFSWEEP_MIB <<<"${BENCH_BUFSWEEP_MIB:-2 4 8 16 32 64 128}"
read -ra BUFSWEEP_SIZES <<<"${BENCH_BUFSWEEP_SIZES:-1500}"
read -ra BUFSWEEP_DESTS <<<"${BENCH_BUFSWEEP_DESTS:-tmpfs}"
BUFSWEEP_REPS=${BENCH_BUFSWEEP_REPS:-3}
MAIN=${BENCH_MAIN:-1}                  # the main matrix (bursts at top speed)
STALL=${BENCH_STALL:-1}                # the same bursts with the capture CPU stalled periodically
STALL_TOP=${BENCH_STALL_TOP:-1}        # 0: of the stalled runs, only the paced ones
STALL_MS=${BENCH_STALL_MS:-40}
STALL_PERIOD_MS=${BENCH_STALL_PERIOD_MS:-100}
STALL_BUF_MIB=${BENCH_STALL_BUF_MIB:-2}  # kernel buffer of the *-B capturers in stalled runs
read -ra STALL_SIZES <<<"${BENCH_STALL_SIZES:-${SIZES[*]}}"
read -ra STALL_DESTS <<<"${BENCH_STALL_DESTS:-${DESTS[*]}}"
STALL_REPS=${BENCH_STALL_REPS:-$REPS}
# The equal-ring (-B) stalled runs again with the generator paced (tcpreplay), SIZE:PPS pairs; a size not
# listed is paced at 200 kpps.  At top speed the offered load depends on the capturer (see run_stalled).
STALL_PACED=${BENCH_STALL_PACED:-1}
read -ra STALL_PACED_PPS <<<"${BENCH_STALL_PACED_PPS:-64:350000 1500:200000}"
# Their bursts, SIZE:N pairs (a size not listed: BENCH_PACKETS). Under a periodic stall the fraction kept
# depends on where the burst ends in the stall's period: a 1500-byte burst of 200,000 frames (about 15
# periods at the rate tcpreplay reaches here) moved it by up to 2 points from run to run for every capturer,
# the C reader included (up to 2.9 points over five rounds); with 600,000 it was 0.4-1.9 (docs/benchmarks.md).
read -ra STALL_PACED_PACKETS <<<"${BENCH_STALL_PACED_PACKETS:-1500:600000}"
SOAK_S=${BENCH_SOAK:-0}
SOAK_PPS=${BENCH_SOAK_PPS:-20000}
SOAK_SIZE=${BENCH_SOAK_SIZE:-64}
SOAK_DEST=${BENCH_SOAK_DEST:-disk}
SOAK_SAMPLE_S=${BENCH_SOAK_SAMPLE_S:-10}
UPDATE_DOCS=${BENCH_UPDATE_DOCS:-1}
DOCS_FILE=${BENCH_DOCS:-$REPO_DIR/docs/benchmarks.md}
RESULTS_ROOT=${BENCH_RESULTS:-$BENCH_DIR/results}

# Frames in the pcap file tcpreplay loops over: at most this many, fewer for a shorter burst.
PCAP_MAX_FRAMES=10000
# Frames in each size's pcap file (make_pcaps): no more than its shortest burst, main or paced.
declare -A PCAP_FRAMES=()

# The burst for SIZE-byte frames: sets PACKETS (the exact number it sends), PCAP_PKTS (frames in the
# pcap file tcpreplay loops over) and LOOPS.
burst_for() { # SIZE
    local n
    n=$(value_for_size "$1" "${PACKETS_BY_SIZE[@]}") ||
        die "BENCH_PACKETS (${PACKETS_BY_SIZE[*]}) gives no packet count for $1-byte frames"
    PCAP_PKTS=${PCAP_FRAMES[$1]:-$((n < PCAP_MAX_FRAMES ? n : PCAP_MAX_FRAMES))}
    LOOPS=$((n / PCAP_PKTS))
    PACKETS=$((PCAP_PKTS * LOOPS))
}

# ------------------------------------------------------------------ state
WORK=
BIN=
TMPFS_ROOT=
DISK_ROOT=
OWN_TMPFS=0
OUT=
RUN_SEQ=0
ERRORS=0
HAVE_PCAPCTL=0
declare -a TOOLS=()

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    netns_teardown
    [[ $OWN_TMPFS == 1 ]] && umount "$TMPFS_ROOT" 2>/dev/null
    [[ -n $TMPFS_ROOT && -d $TMPFS_ROOT ]] && rm -rf -- "$TMPFS_ROOT"
    [[ -n $DISK_ROOT && -d $DISK_ROOT ]] && rm -rf -- "$DISK_ROOT"
    if [[ -n $WORK && -d $WORK ]]; then
        # Keep the logs next to the results, drop the bulky rest.
        [[ -n $OUT && -d $WORK/logs ]] && cp -r "$WORK/logs" "$OUT/logs" 2>/dev/null
        rm -rf -- "$WORK"
    fi
    exit "$rc"
}

# ---------------------------------------------------------------- set-up
choose_tools() {
    if [[ -x $PCAPCTL ]]; then
        HAVE_PCAPCTL=1
    elif [[ $PCAPCTL_REQUIRED == 1 ]]; then
        die "pcapctl binary not found at $PCAPCTL (PCAPCTL_REQUIRED=1)"
    fi
    if [[ -n ${BENCH_TOOLS:-} ]]; then
        read -ra TOOLS <<<"$BENCH_TOOLS"
        local t
        for t in "${TOOLS[@]}"; do
            [[ $t == pcapctl* && $HAVE_PCAPCTL == 0 ]] && die "BENCH_TOOLS names $t but $PCAPCTL does not exist"
            [[ $t == pcapctl-baseline && ! -x ${BENCH_BASELINE:-} ]] && die "BENCH_TOOLS names pcapctl-baseline but BENCH_BASELINE is not an executable"
        done
    else
        TOOLS=(tcpdump tcpdump-B dumpcap dumpcap-B netsniff-ng netsniff-ng-B pcount-B)
        if [[ $HAVE_PCAPCTL == 1 ]]; then
            TOOLS=(pcapctl pcapctl-B "${TOOLS[@]}")
        else
            warn "no pcapctl binary at $PCAPCTL: benchmarking the reference capturers only"
        fi
    fi
    log "capturers: ${TOOLS[*]}"
}

make_dirs() {
    local stamp
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    OUT="$RESULTS_ROOT/$stamp-$([[ $SMOKE == 1 ]] && echo smoke || echo bench)"
    mkdir -p "$OUT"
    WORK=$(mktemp -d /var/tmp/pcb-work.XXXXXX)
    BIN="$WORK/bin"
    mkdir -p "$BIN" "$WORK/logs" "$WORK/pcaps"
    # tmpfs destination: /dev/shm if it is tmpfs, else a private tmpfs mount.
    TMPFS_ROOT="/dev/shm/pcb-cap-$$"
    if [[ $(stat -f -c %T /dev/shm 2>/dev/null) != tmpfs ]]; then
        TMPFS_ROOT="$WORK/tmpfs"
        mkdir -p "$TMPFS_ROOT"
        mount -t tmpfs -o size=4g tmpfs "$TMPFS_ROOT"
        OWN_TMPFS=1
    fi
    mkdir -p "$TMPFS_ROOT"
    # disk destination: /var/tmp is on a real file system on Debian.
    DISK_ROOT="/var/tmp/pcb-cap-$$"
    mkdir -p "$DISK_ROOT"
    mkdir -p "$(pcapctl_home_for "$TMPFS_ROOT")" "$(pcapctl_home_for "$DISK_ROOT")"
    [[ $(stat -f -c %T "$DISK_ROOT") == tmpfs ]] && warn "$DISK_ROOT is on tmpfs; 'disk' results are not disk"
    ln -sfn "$(basename "$OUT")" "$RESULTS_ROOT/latest"
    log "results in $OUT"
}

dest_dir() { # tmpfs|disk|none
    case $1 in
    tmpfs) printf '%s' "$TMPFS_ROOT" ;;
    disk) printf '%s' "$DISK_ROOT" ;;
    *) printf '%s' "$TMPFS_ROOT" ;;
    esac
}

build_helpers() {
    cc -O2 -Wall -Wextra -o "$BIN/mkpcap" "$BENCH_DIR/mkpcap.c"
    cc -O2 -Wall -Wextra -o "$BIN/pcount" "$BENCH_DIR/pcount.c" -lpcap
    cc -O2 -Wall -Wextra -o "$BIN/stall" "$BENCH_DIR/stall.c"
    cc -O2 -Wall -Wextra -o "$BIN/reap" "$BENCH_DIR/reap.c"
    cc -O2 -Wall -Wextra -o "$BIN/warmring" "$BENCH_DIR/warmring.c"
}

make_pcaps() {
    local size n
    for size in "${SIZES[@]}" "${SWEEP_SIZES[@]}" "${BUFSWEEP_SIZES[@]}" "${STALL_SIZES[@]}" "$SOAK_SIZE"; do
        [[ -f $WORK/pcaps/udp-$size.pcap ]] && continue
        # The soak's size needs no burst of its own: its pcap is looped for a duration.
        PCAP_FRAMES[$size]=$PCAP_MAX_FRAMES
        for n in $(value_for_size "$size" "${PACKETS_BY_SIZE[@]}") $(value_for_size "$size" "${STALL_PACED_PACKETS[@]}"); do
            if ((n < PCAP_FRAMES[$size])); then PCAP_FRAMES[$size]=$n; fi
        done
        "$BIN/mkpcap" "$WORK/pcaps/udp-$size.pcap" "${PCAP_FRAMES[$size]}" "$size" \
            "$MAC_GEN" "$MAC_CAP" "$IP_GEN" "$IP_CAP" 9
        if [[ $GEN == trafgen ]]; then
            # Same frame for trafgen: 14 + 20 + 8 header bytes, then payload.
            # trafgen pins its worker N to CPU N whatever taskset says (one
            # worker: CPU 0, the capture CPU), so it runs GEN_CPU+1 workers and
            # gives the packet to the one on GEN_CPU only (cpu(N):).
            printf 'cpu(%s): { eth(da=%s, sa=%s, type=0x0800), ipv4(saddr=%s, daddr=%s, ttl=64), udp(sport=dinc(10000, 11023), dport=9), fill(0x41, %d) }\n' \
                "$GEN_CPU" "$MAC_CAP" "$MAC_GEN" "$IP_GEN" "$IP_CAP" "$((size - 42))" >"$WORK/pcaps/udp-$size.trafgen"
        fi
    done
}

# File system type of a directory (findmnt knows ext4 from ext2/ext3).
fs_type() {
    local t
    t=$(findmnt -n -o FSTYPE -T "$1" 2>/dev/null | tail -n 1) # last = topmost of stacked mounts
    printf '%s' "${t:-$(stat -f -c %T "$1")}"
}

write_meta() {
    local f="$OUT/meta.tsv" cpu libpcap
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    libpcap=$(tcpdump --version 2>&1 | awk '/libpcap/ { print $3; exit }')
    {
        printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
        printf 'kernel\t%s\n' "$(uname -r)"
        printf 'libpcap\t%s\n' "$libpcap"
        printf 'tcpdump\t%s\n' "$(tcpdump --version 2>&1 | awk 'NR == 1 { print $3 }')"
        printf 'dumpcap\t%s\n' "$(dumpcap --version 2>&1 | awk 'NR == 1 { print $3 }')"
        printf 'generator\t%s %s (paced runs: tcpreplay)\n' "$GEN" "$("$GEN" --version 2>&1 | awk 'NR == 1 { print ($1 == "tcpreplay" ? $3 : $2) }')"
        printf 'cpu\t%s\n' "$cpu"
        printf 'cores\t%s\n' "$(nproc)"
        printf 'memory\t%s\n' "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
        printf 'pinning\tgenerator on CPU %s, capturer on CPU %s (taskset)\n' "$GEN_CPU" "$CAP_CPU"
        printf 'packets\t%s\n' "${PACKETS_BY_SIZE[*]}"
        printf 'reps\t%s\n' "$REPS"
        printf 'sizes\t%s\n' "${SIZES[*]}"
        printf 'snaplen\t%s\n' "$SNAPLEN"
        printf 'filter\t%s / pcapctl %s\n' "$BPF_FILTER" "$PCAPCTL_FILTERS"
        printf 'buf_mib\t%s\n' "$BUF_MIB"
        printf 'drain_s\t%s\n' "$DRAIN_S"
        printf 'warm_mib\t%s\n' "$WARM_MIB"
        printf 'tmpfs\t%s (%s)\n' "$TMPFS_ROOT" "$(fs_type "$TMPFS_ROOT")"
        printf 'disk\t%s (%s)\n' "$DISK_ROOT" "$(fs_type "$DISK_ROOT")"
        if [[ $HAVE_PCAPCTL == 1 ]]; then
            printf 'pcapctl\t%s (%s)\n' "$("$PCAPCTL" --version 2>&1 | head -n 1)" "$PCAPCTL"
            # pcapctl's own default kernel buffer, as its help states it.
            printf 'pcapctl_buf_bytes\t%s\n' "$("$PCAPCTL" create --help 2>&1 |
                sed -nE 's/.*--buffer-size.*\(default: ([0-9]+)\).*/\1/p' | head -n 1)"
        else
            printf 'pcapctl\tabsent\n'
        fi
        printf 'tools\t%s\n' "${TOOLS[*]}"
        printf 'stall\t%s ms of every %s ms on CPU %s (SCHED_FIFO)\n' "$STALL_MS" "$STALL_PERIOD_MS" "$CAP_CPU"
        printf 'stall_buf_mib\t%s\n' "$STALL_BUF_MIB"
        ((STALL_PACED)) && printf 'stall_paced_pps\t%s\n' "${STALL_PACED_PPS[*]}"
        ((STALL_PACED)) && printf 'stall_paced_packets\t%s\n' "${STALL_PACED_PACKETS[*]}"
        printf 'sweep_stall\t%s\n' "$SWEEP_STALL"
        printf 'smoke\t%s\n' "$SMOKE"
    } >"$f"
}

# ------------------------------------------------------------ generator
# Send one burst from the generator namespace.  PPS=0 means top speed.
# Sets G_SENT (exact count the generator reports), G_SECS, G_PPS.
G_SENT= G_SECS= G_PPS=
generate() { # SIZE PPS LOG
    local size=$1 pps=$2 log=$3 tmo rc=0
    G_SENT= G_SECS= G_PPS=
    burst_for "$size"
    # Bound the wait: at least 60 s, or three times the paced burst length.
    tmo=60
    ((pps > 0)) && tmo=$((60 + 3 * PACKETS / pps))
    if [[ $GEN == trafgen ]] && ((pps == 0)); then
        # Paced trafgen runs a single worker pinned to CPU 0, so rates go to tcpreplay.
        local t0
        t0=$(now_us)
        timeout -k 5 "$tmo" ip netns exec "$NS_GEN" taskset -c "$GEN_CPU" \
            trafgen -i "$WORK/pcaps/udp-$size.trafgen" -o "$IF_GEN" -n "$PACKETS" -P "$((GEN_CPU + 1))" \
            >"$log" 2>&1 </dev/null || rc=$?
        G_SENT=$(grab "$log" '^[[:space:]]*([0-9]+) packets outgoing.*')
        # Its "sec on CPU" lines are CPU time; the rate wants the wall time.
        G_SECS=$(awk -v d="$(($(now_us) - t0))" 'BEGIN { printf "%.6f", d / 1e6 }')
    else
        local -a rate=(--topspeed)
        ((pps > 0)) && rate=(--pps="$pps")
        # -K preloads the file so disk reads never pace the burst; --loop
        # makes the count exact.
        timeout -k 5 "$tmo" ip netns exec "$NS_GEN" taskset -c "$GEN_CPU" \
            tcpreplay -i "$IF_GEN" -K --loop="$LOOPS" "${rate[@]}" "$WORK/pcaps/udp-$size.pcap" \
            >"$log" 2>&1 </dev/null || rc=$?
        G_SENT=$(grab "$log" '^[[:space:]]*Successful packets:[[:space:]]*([0-9]+).*')
        G_SECS=$(grab "$log" '^Actual: [0-9]+ packets \([0-9]+ bytes\) sent in ([0-9.]+) seconds.*')
    fi
    if [[ -n $G_SECS && -n $G_SENT ]]; then
        G_PPS=$(awk -v n="$G_SENT" -v s="$G_SECS" 'BEGIN { if (s > 0) printf "%.0f", n / s }')
    fi
    return "$rc"
}

# -------------------------------------------------------------- one run
CSV_HEADER="mode,rep,size,pps,dest,tool,buf_mib,sent,gen_tx,cap_rx,cap_rx_drop,written,tool_recv,tool_drop,tool_ifdrop,cpu_s,cpu_ready_s,rss_kib,ready_ms,gen_secs,gen_pps,stop_ms,status,cpu_total_s,cli_cpu_s,cpus,writeback_s"

csv_row() { # FILE FIELDS...
    local file=$1 IFS=,
    shift
    printf '%s\n' "$*" >>"$file"
}

# One burst against one capturer: start it, send, drain, stop, count, and
# append a row to dataplane.csv.  Never aborts the harness: failures are
# recorded in the status column and counted in ERRORS.
run_burst() { # MODE REP SIZE PPS DEST TOOL BUF_MIB
    local mode=$1 rep=$2 size=$3 pps=$4 dest=$5 tool=$6 buf=$7
    local name dir status=ok tx0 tx1 rx0 rx1 rd0 rd1 buf_col
    RUN_SEQ=$((RUN_SEQ + 1))
    name=$(printf 'bench-%05d' "$RUN_SEQ")
    dir=$(dest_dir "$dest")
    buf_col=$buf
    [[ $tool != *-B ]] && buf_col=default

    # Write back what earlier runs left dirty, so that no capturer competes
    # with the previous one's writeback.
    sync -f "$DISK_ROOT"
    tx0=$(if_counter "$NS_GEN" "$IF_GEN" tx_packets)
    rx0=$(if_counter "$NS_CAP" "$IF_CAP" rx_packets)
    rd0=$(if_counter "$NS_CAP" "$IF_CAP" rx_dropped)

    local sent='' written='' recv='' drop='' ifdrop='' cpu='' cpu0='' rss='' ready='' gsecs='' gpps='' stopms='' cputot='' clicpu='' cpus='' writeback=''
    # Every capturer's ring starts on memory the host still backs, whatever ran before it (*CPU time* in
    # docs/benchmarks.md): without this a 32 MiB ring cost 6 ms or 90 ms of start-up by the order of the runs.
    ((WARM_MIB > 0)) && { taskset -c "$CAP_CPU" "$BIN/warmring" "$WARM_MIB" || warn "warmring failed"; }
    if ! cap_start "$tool" "$dir" "$name" "$buf"; then
        status="error: $CAP_ERRMSG"
        cap_abort "$tool"
    else
        ready=$CAP_READY_MS cpu0=$CAP_CPU0 cpus=$CAP_CPUS
        sleep "$SETTLE_S"
        local stall_pid=
        if [[ $mode == stall* || ($mode == sweep && $SWEEP_STALL == 1) ]]; then
            # Bounded by its own time limit too, in case the kill below is never reached.
            "$BIN/stall" "$CAP_CPU" "$STALL_MS" "$STALL_PERIOD_MS" 120 >"$WORK/logs/$name.stall" 2>&1 </dev/null &
            stall_pid=$!
        fi
        if ! generate "$size" "$pps" "$WORK/logs/$name.gen"; then
            status="error: generator failed ($(tail -n 2 "$WORK/logs/$name.gen" | tr '\n,' '  '))"
        fi
        if [[ -n $stall_pid ]]; then
            kill -TERM "$stall_pid" 2>/dev/null || true
            wait "$stall_pid" || [[ $status != ok ]] || status="error: stall failed ($(tr '\n,' '  ' <"$WORK/logs/$name.stall"))"
        fi
        sent=$G_SENT gsecs=$G_SECS gpps=$G_PPS
        wait_quiescent "$CAP_PID" "$DRAIN_S" "$DRAIN_MAX_S"
        if ! cap_stop "$tool"; then
            [[ $status == ok ]] && status="error: $R_ERR"
        fi
        written=$R_WRITTEN recv=$R_TOOL_RECV drop=$R_TOOL_DROP ifdrop=$R_TOOL_IFDROP cpu=$R_CPU rss=$R_RSS stopms=$R_STOP_MS
        cputot=$R_CPU_TOTAL clicpu=$R_CLI_CPU writeback=$R_WRITEBACK
    fi
    tx1=$(if_counter "$NS_GEN" "$IF_GEN" tx_packets)
    rx1=$(if_counter "$NS_CAP" "$IF_CAP" rx_packets)
    rd1=$(if_counter "$NS_CAP" "$IF_CAP" rx_dropped)

    if [[ $status == ok ]]; then
        if [[ -z $sent || $sent -eq 0 ]]; then
            status="error: generator sent count unreadable"
        elif [[ $sent -ne $PACKETS ]]; then
            status="error: generator sent $sent of $PACKETS"
        elif [[ -z $written || $written -eq 0 ]]; then
            status="error: capturer kept 0 packets"
        elif ((written > sent)); then
            status="error: capturer kept more than was sent"
        fi
    fi
    [[ $status == ok ]] || ERRORS=$((ERRORS + 1))
    csv_row "$OUT/dataplane.csv" "$mode" "$rep" "$size" "$pps" "$dest" "$tool" "$buf_col" \
        "$sent" "$((tx1 - tx0))" "$((rx1 - rx0))" "$((rd1 - rd0))" "$written" "$recv" "$drop" "$ifdrop" \
        "$cpu" "$cpu0" "$rss" "$ready" "$gsecs" "$gpps" "$stopms" "${status//,/;}" "$cputot" "$clicpu" "$cpus" "$writeback"
    local kept='?'
    [[ -n $written && -n $sent && $sent -gt 0 ]] && kept=$(awk -v w="$written" -v s="$sent" 'BEGIN { printf "%.2f%%", 100 * w / s }')
    log "$(printf '%-8s rep %s %4sB %7s %-5s %-13s sent %-7s kept %-7s (%s) drop %-6s cpu %-5s total %-8s rss %sK %s' \
        "$mode" "$rep" "$size" "$([[ $pps == 0 ]] && echo top || echo "${pps}pps")" "$dest" "$tool" \
        "${sent:-?}" "${written:-?}" "$kept" "${drop:-?}" "${cpu:-?}" "${cputot:-?}" "${rss:-?}" \
        "$([[ $status == ok ]] || echo "[$status]")")"
}

# Rotate an array by N so that each repetition starts with another tool.
rotated() { # N ITEMS...
    local n=$1
    shift
    local -a items=("$@")
    local count=${#items[@]} i
    for ((i = 0; i < count; i++)); do
        printf '%s\n' "${items[$(((i + n) % count))]}"
    done
}

# ------------------------------------------------------------ data plane
run_matrix() {
    local rep size dest tool
    local -a order
    log "data plane: $REPS reps x sizes (${SIZES[*]}) x dests (${DESTS[*]}), bursts of ${PACKETS_BY_SIZE[*]} packets at top speed"
    for ((rep = 1; rep <= REPS; rep++)); do
        mapfile -t order < <(rotated "$((rep - 1))" "${TOOLS[@]}")
        for size in "${SIZES[@]}"; do
            for dest in "${DESTS[@]}"; do
                for tool in "${order[@]}"; do
                    # pcount writes nothing: one run per size, destination "none".
                    if [[ $tool == pcount* ]]; then
                        [[ $dest == "${DESTS[0]}" ]] || continue
                        run_burst main "$rep" "$size" 0 none "$tool" "$BUF_MIB"
                    else
                        run_burst main "$rep" "$size" 0 "$dest" "$tool" "$BUF_MIB"
                    fi
                done
            done
        done
    done
}

# Whether bench/stall.c may run at real-time priority here (1 ms busy, once).
stall_works() { "$BIN/stall" "$CAP_CPU" 1 2 1 >/dev/null 2>"$WORK/logs/stall-check.err"; }

# The main matrix again (tmpfs only), with the capture CPU taken away for
# STALL_MS of every STALL_PERIOD_MS during each burst by a real-time busy
# loop (bench/stall.c): the scheduling stalls of a busy host, made
# repeatable.  A capturer keeps everything only if its ring holds a stall's
# worth of packets and it catches up in between.  The *-B capturers get a
# small equal ring (STALL_BUF_MIB) here, so that all of them lose and both
# the fraction kept and the drop accounting are compared under loss.
run_stalled() {
    if ! stall_works; then
        warn "stalled runs skipped: $(head -n 1 "$WORK/logs/stall-check.err")"
        return 0
    fi
    if ((STALL_TOP)); then
        log "stalled capture CPU: $STALL_MS ms of every $STALL_PERIOD_MS ms on CPU $CAP_CPU, $STALL_REPS reps x sizes (${STALL_SIZES[*]}), dests (${STALL_DESTS[*]}), top speed, -B buffers $STALL_BUF_MIB MiB"
        run_rotated stall "$STALL_REPS" "$STALL_BUF_MIB" "${STALL_SIZES[*]}" 0 "${STALL_DESTS[*]}"
    fi
    ((STALL_PACED)) && run_stalled_paced
}

# The packet rate the paced stalled runs send SIZE-byte frames at.
stall_paced_rate() { # SIZE
    value_for_size "$1" "${STALL_PACED_PPS[@]}" || printf '200000'
}

# The equal-ring comparison once more, with the generator paced.  At top
# speed the generator's CPU also runs the capture side's receive path, and a
# packet the full ring drops costs it less than one copied in, so a capturer
# that loses more is offered more: the rate varied 300-490 kpps from run to
# run and the fraction kept followed it.  Paced, every capturer gets the
# same load, and the equal-buffer targets are judged on these runs.
run_stalled_paced() {
    local size tool
    local -a TOOLS_PACED=()
    for tool in "${TOOLS[@]}"; do [[ $tool == *-B ]] && TOOLS_PACED+=("$tool"); done
    ((${#TOOLS_PACED[@]})) || return 0
    local -a TOOLS=("${TOOLS_PACED[@]}")
    # burst_for reads PACKETS_BY_SIZE: the paced bursts' lengths take precedence, for these runs only.
    local -a PACKETS_BY_SIZE=("${PACKETS_BY_SIZE[@]}")
    local packets
    for size in "${STALL_SIZES[@]}"; do
        packets=$(value_for_size "$size" "${STALL_PACED_PACKETS[@]}") && PACKETS_BY_SIZE+=("$size:$packets")
    done
    for size in "${STALL_SIZES[@]}"; do
        log "stalled capture CPU, generator paced: $STALL_REPS reps x $size B at $(stall_paced_rate "$size") pps, dests (${STALL_DESTS[*]}), ${TOOLS[*]}"
        run_rotated stallpaced "$STALL_REPS" "$STALL_BUF_MIB" "$size" "$(stall_paced_rate "$size")" "${STALL_DESTS[*]}"
    done
}

run_rate_sweep() {
    if [[ $SWEEP_STALL == 1 ]] && ! stall_works; then
        warn "rate sweep skipped: BENCH_SWEEP_STALL=1 but $(head -n 1 "$WORK/logs/stall-check.err")"
        return 0
    fi
    log "rate sweep: rates (${SWEEP_RATES[*]}) pps (0 = top speed), sizes (${SWEEP_SIZES[*]}), $SWEEP_REPS reps, tmpfs$([[ $SWEEP_STALL == 1 ]] && echo ", capture CPU stalled")"
    run_rotated sweep "$SWEEP_REPS" "$BUF_MIB" "${SWEEP_SIZES[*]}" "${SWEEP_RATES[*]}" tmpfs
}

# REPS repetitions of SIZES x RATES (pps, 0 = top speed) x DESTS x every
# capturer, in an order rotated each repetition (the C reader writes
# nowhere: once per size and rate), the -B capturers with a BUF_MIB ring.
run_rotated() { # MODE REPS BUF_MIB "SIZES" "RATES" "DESTS"
    local mode=$1 reps=$2 buf=$3 rep size rate tool dest
    local -a sizes rates dests order
    read -ra sizes <<<"$4"
    read -ra rates <<<"$5"
    read -ra dests <<<"$6"
    for ((rep = 1; rep <= reps; rep++)); do
        mapfile -t order < <(rotated "$((rep - 1))" "${TOOLS[@]}")
        for size in "${sizes[@]}"; do
            for rate in "${rates[@]}"; do
                for dest in "${dests[@]}"; do
                    for tool in "${order[@]}"; do
                        if [[ $tool == pcount* ]]; then
                            [[ $dest == "${dests[0]}" ]] || continue
                            run_burst "$mode" "$rep" "$size" "$rate" none "$tool" "$buf"
                        else
                            run_burst "$mode" "$rep" "$size" "$rate" "$dest" "$tool" "$buf"
                        fi
                    done
                done
            done
        done
    done
}

run_buffer_sweep() {
    local rep size mib tool dest
    local -a btools=() order
    for tool in "${TOOLS[@]}"; do [[ $tool == *-B ]] && btools+=("$tool"); done
    ((${#btools[@]})) || {
        warn "buffer sweep: no *-B capturer selected"
        return 0
    }
    log "buffer sweep: (${BUFSWEEP_MIB[*]}) MiB, sizes (${BUFSWEEP_SIZES[*]}), ${btools[*]}, $BUFSWEEP_REPS reps"
    for ((rep = 1; rep <= BUFSWEEP_REPS; rep++)); do
        mapfile -t order < <(rotated "$((rep - 1))" "${btools[@]}")
        for size in "${BUFSWEEP_SIZES[@]}"; do
            for mib in "${BUFSWEEP_MIB[@]}"; do
                for dest in "${BUFSWEEP_DESTS[@]}"; do
                    for tool in "${order[@]}"; do
                        if [[ $tool == pcount* ]]; then
                            [[ $dest == "${BUFSWEEP_DESTS[0]}" ]] || continue
                            run_burst bufsweep "$rep" "$size" 0 none "$tool" "$mib"
                        else
                            run_burst bufsweep "$rep" "$size" 0 "$dest" "$tool" "$mib"
                        fi
                    done
                done
            done
        done
    done
}

# --------------------------------------------------------- control plane
ctl_row() { csv_row "$OUT/ctl.csv" "$@"; }

# Time from launching tcpdump to its "listening on" line, read from a pipe
# so that the moment is exact rather than polled.
time_tcpdump_listening() { # FILE -> prints ms, or nothing
    local file=$1 fd pid t0 line ms=''
    t0=$(now_us)
    exec {fd}< <(exec ip netns exec "$NS_CAP" taskset -c "$CAP_CPU" \
        tcpdump -w "$file" -s "$SNAPLEN" -Z root -n -i "$IF_CAP" "${BPF_WORDS[@]}" 2>&1 >/dev/null </dev/null)
    pid=$!
    while IFS= read -r -t 20 -u "$fd" line; do
        if [[ $line == *"listening on"* ]]; then
            ms=$(ms_since "$t0")
            break
        fi
    done
    kill -INT "$pid" 2>/dev/null || true
    timeout 10 cat <&"$fd" >/dev/null || true
    exec {fd}<&-
    wait_pid_exit "$pid" 10 || true
    rm -f -- "$file"
    printf '%s' "$ms"
}

ctl_startup() {
    local i ms name out
    log "control plane: start-up latency, $CTL_REPS reps"
    for ((i = 1; i <= CTL_REPS; i++)); do
        # What ip netns exec alone costs, since every timed command goes through it.
        local t0
        t0=$(now_us)
        ip netns exec "$NS_CAP" true
        ctl_row netns_exec "$i" 0 "$(ms_since "$t0")"

        ms=$(time_tcpdump_listening "$TMPFS_ROOT/ctl-$i.pcap")
        if [[ -n $ms ]]; then ctl_row tcpdump_listening "$i" 0 "$ms"; else
            warn "tcpdump never said 'listening on'"
            ERRORS=$((ERRORS + 1))
        fi

        [[ $HAVE_PCAPCTL == 1 ]] || continue
        name=$(printf 'ctl-%03d' "$i")
        out="$WORK/logs/$name"
        t0=$(now_us)
        if pcapctl_cli "$(pcapctl_home_for "$TMPFS_ROOT")" "$TMPFS_ROOT" "$out.create.out" "$out.create.err" 60 \
            create -n "$name" -l "$PCAPCTL_LOCATION" --file-path "$TMPFS_ROOT/$name.cap" --interface "$IF_CAP" \
            --capture-size "$SNAPLEN" --time-limit 0 --capture-limit 0 --filters "$PCAPCTL_FILTERS"; then
            ctl_row pcapctl_create "$i" 0 "$(ms_since "$t0")"
        else
            warn "pcapctl create failed: $(tail -n 2 "$out.create.err" | tr '\n' ' ')"
            ERRORS=$((ERRORS + 1))
        fi
        t0=$(now_us)
        if pcapctl_cli "$(pcapctl_home_for "$TMPFS_ROOT")" "$TMPFS_ROOT" "$out.stop.out" "$out.stop.err" 60 stop -n "$name" -l "$PCAPCTL_LOCATION"; then
            ctl_row pcapctl_stop "$i" 0 "$(ms_since "$t0")"
        else
            warn "pcapctl stop failed: $(tail -n 2 "$out.stop.err" | tr '\n' ' ')"
            ERRORS=$((ERRORS + 1))
        fi
        pcapctl_cli "$(pcapctl_home_for "$TMPFS_ROOT")" "$TMPFS_ROOT" /dev/null /dev/null 30 delete -n "$name" -l "$PCAPCTL_LOCATION" || true
        rm -f -- "$TMPFS_ROOT/$name.cap"
    done
}

# Wait until no process is left in the capture namespace (the store
# captures' agents live there and nothing else does at that point).
STORE_WAIT_MODE=netns
wait_store_batch_done() {
    local deadline pids
    deadline=$(($(now_us) + 30 * 1000000))
    if [[ $STORE_WAIT_MODE == sleep ]]; then
        sleep 2.5
        return 0
    fi
    while (($(now_us) < deadline)); do
        pids=$(ip netns pids "$NS_CAP" 2>/dev/null || true)
        [[ -z $pids ]] && return 0
        sleep 0.1
    done
    # A long-lived supervisor process would never leave: fall back to
    # waiting out the 1 s time limit with a margin from now on.
    warn "processes remain in $NS_CAP after a store batch; switching to fixed waits"
    STORE_WAIT_MODE=sleep
}

ctl_store() {
    local home="$WORK/pcapctl-store" dir="$DISK_ROOT/store" have=0 n i j name t0 count
    local -a batch
    mkdir -p "$home" "$dir"
    mapfile -t STORE_N < <(printf '%s\n' "${STORE_N[@]}" | sort -n)
    for n in "${STORE_N[@]}"; do
        log "control plane: growing the store to $n captures ($STORE_CONC at a time, 1 s each on lo, 1 MiB rings)"
        t0=$(now_us)
        for ((i = have + 1; i <= n; i += STORE_CONC)); do
            batch=()
            for ((j = i; j < i + STORE_CONC && j <= n; j++)); do
                name=$(printf 'bs-%05d' "$j")
                pcapctl_cli "$home" "$dir" /dev/null "$WORK/logs/store-last.err" 60 \
                    create -n "$name" -l "$PCAPCTL_LOCATION" --file-path "$dir/$name.cap" --interface lo \
                    --capture-size 128 --buffer-size 1048576 --time-limit 1 --capture-limit 0 --no-wait &
                batch+=("$!")
            done
            for j in "${batch[@]}"; do
                wait "$j" || {
                    warn "store create failed: $(tail -n 2 "$WORK/logs/store-last.err" | tr '\n' ' ')"
                    ERRORS=$((ERRORS + 1))
                }
            done
            wait_store_batch_done
        done
        have=$n
        ctl_row store_fill "$n" "$n" "$(ms_since "$t0")"
        pcapctl_cli "$home" "$dir" "$WORK/logs/store-list-$n.out" "$WORK/logs/store-list-$n.err" 120 list -l "$PCAPCTL_LOCATION" || true
        count=$(grep -o 'bs-[0-9]\{5\}' "$WORK/logs/store-list-$n.out" | sort -u | wc -l)
        if ((count < n)); then
            warn "pcapctl list shows $count of $n stored captures"
            ERRORS=$((ERRORS + 1))
        fi
        name=$(printf 'bs-%05d' "$(((n + 1) / 2))")
        for ((i = 1; i <= CTL_REPS; i++)); do
            # A create among n stored captures (then gone again, so the store keeps n).
            local probe="probe-$n-$i"
            t0=$(now_us)
            if pcapctl_cli "$home" "$dir" /dev/null "$WORK/logs/store-probe.err" 60 create -n "$probe" -l "$PCAPCTL_LOCATION" \
                --file-path "$dir/$probe.cap" --interface lo --capture-size 128 --buffer-size 1048576 --time-limit 0 --capture-limit 0; then
                ctl_row pcapctl_create "$i" "$n" "$(ms_since "$t0")"
            else
                warn "create among $n stored captures failed: $(tail -n 2 "$WORK/logs/store-probe.err" | tr '\n' ' ')"
                ERRORS=$((ERRORS + 1))
            fi
            pcapctl_cli "$home" "$dir" /dev/null /dev/null 60 stop -n "$probe" -l "$PCAPCTL_LOCATION" || true
            pcapctl_cli "$home" "$dir" /dev/null /dev/null 60 delete -n "$probe" -l "$PCAPCTL_LOCATION" || true
            rm -f -- "$dir/$probe.cap"
            t0=$(now_us)
            pcapctl_cli "$home" "$dir" /dev/null /dev/null 120 list -l "$PCAPCTL_LOCATION" &&
                ctl_row pcapctl_list "$i" "$n" "$(ms_since "$t0")"
            t0=$(now_us)
            pcapctl_cli "$home" "$dir" /dev/null /dev/null 120 show-status -n "$name" -l "$PCAPCTL_LOCATION" &&
                ctl_row pcapctl_show_status "$i" "$n" "$(ms_since "$t0")"
        done
    done
}

# ----------------------------------------------------------------- soak
# A long paced capture; the capturer's RSS is sampled every SOAK_SAMPLE_S.
run_soak() {
    local tool=${BENCH_SOAK_TOOL:-} dir name gen_pid t0 i samples elapsed
    if [[ -z $tool ]]; then
        tool=tcpdump-B
        [[ $HAVE_PCAPCTL == 1 ]] && tool=pcapctl-B
    fi
    dir=$(dest_dir "$SOAK_DEST")
    name=soak
    log "soak: $tool for ${SOAK_S}s at $SOAK_PPS pps of ${SOAK_SIZE}B frames to $SOAK_DEST, RSS every ${SOAK_SAMPLE_S}s"
    csv_row "$OUT/soak.csv" t_s rss_kib hwm_kib cpu_s
    if ! cap_start "$tool" "$dir" "$name" "$BUF_MIB"; then
        warn "soak: $CAP_ERRMSG"
        cap_abort "$tool"
        ERRORS=$((ERRORS + 1))
        return 0
    fi
    sleep "$SETTLE_S"
    local -a gen=(tcpreplay -i "$IF_GEN" -K --loop=0 --duration="$SOAK_S" --pps="$SOAK_PPS" "$WORK/pcaps/udp-$SOAK_SIZE.pcap")
    timeout -k 5 "$((SOAK_S + 60))" ip netns exec "$NS_GEN" taskset -c "$GEN_CPU" "${gen[@]}" \
        >"$WORK/logs/soak.gen" 2>&1 </dev/null &
    gen_pid=$!
    t0=$(now_us)
    samples=$((SOAK_S / SOAK_SAMPLE_S + 1))
    for ((i = 0; i <= samples; i++)); do
        elapsed=$((($(now_us) - t0) / 1000000))
        pid_alive "$CAP_PID" || break
        csv_row "$OUT/soak.csv" "$elapsed" "$(proc_status_kib "$CAP_PID" VmRSS)" \
            "$(proc_status_kib "$CAP_PID" VmHWM)" "$(proc_cpu_s "$CAP_PID")"
        pid_alive "$gen_pid" || break
        sleep "$SOAK_SAMPLE_S"
    done
    wait_pid_exit "$gen_pid" "$((SOAK_S + 90))" || true
    G_SENT=$(grab "$WORK/logs/soak.gen" '^[[:space:]]*Successful packets:[[:space:]]*([0-9]+).*')
    wait_quiescent "$CAP_PID" "$DRAIN_S" "$DRAIN_MAX_S"
    local status=ok
    cap_stop "$tool" || status="error: $R_ERR"
    [[ -n $G_SENT && -n $R_WRITTEN && $R_WRITTEN -gt 0 ]] || status="error: soak counts unreadable"
    [[ $status == ok ]] || ERRORS=$((ERRORS + 1))
    csv_row "$OUT/dataplane.csv" soak 1 "$SOAK_SIZE" "$SOAK_PPS" "$SOAK_DEST" "$tool" "$BUF_MIB" \
        "$G_SENT" "" "" "" "$R_WRITTEN" "$R_TOOL_RECV" "$R_TOOL_DROP" "$R_TOOL_IFDROP" \
        "$R_CPU" "$CAP_CPU0" "$R_RSS" "" "$SOAK_S" "$SOAK_PPS" "$R_STOP_MS" "${status//,/;}" "$R_CPU_TOTAL" "$R_CLI_CPU" "$CAP_CPUS" "$R_WRITEBACK"
    log "soak: sent ${G_SENT:-?} kept ${R_WRITTEN:-?} drops ${R_TOOL_DROP:-?} peak RSS ${R_RSS:-?} KiB"
}

# ------------------------------------------------------------------ main
main() {
    [[ $(id -u) -eq 0 ]] || die "run as root (network namespaces and packet capture)"
    bash "$BENCH_DIR/deps.sh"
    # Every size a burst will be sent at has a burst length (the soak's stream needs none).
    local size
    local -a burst_sizes=()
    if ((MAIN)); then burst_sizes+=("${SIZES[@]}"); fi
    if ((STALL)); then burst_sizes+=("${STALL_SIZES[@]}"); fi
    if ((SWEEP)); then burst_sizes+=("${SWEEP_SIZES[@]}"); fi
    if ((BUFSWEEP)); then burst_sizes+=("${BUFSWEEP_SIZES[@]}"); fi
    for size in "${burst_sizes[@]}"; do burst_for "$size"; done
    ((GEN_CPU != CAP_CPU)) || warn "generator and capturer share CPU $CAP_CPU"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    parse_variants
    choose_tools
    make_dirs
    build_helpers
    netns_setup
    make_pcaps
    write_meta
    printf '%s\n' "$CSV_HEADER" >"$OUT/dataplane.csv"
    printf 'what,rep,n,ms\n' >"$OUT/ctl.csv"
    log "pinning: generator ($GEN) on CPU $GEN_CPU, capturer on CPU $CAP_CPU; snaplen $SNAPLEN; -B buffers $BUF_MIB MiB"

    [[ $MAIN == 1 ]] && run_matrix
    [[ $STALL == 1 ]] && run_stalled
    [[ $SWEEP == 1 ]] && run_rate_sweep
    [[ $BUFSWEEP == 1 ]] && run_buffer_sweep
    if [[ $CTL == 1 ]]; then
        ctl_startup
        if [[ $HAVE_PCAPCTL == 1 ]]; then ctl_store; else log "control plane: store scaling skipped (no pcapctl)"; fi
    fi
    ((SOAK_S > 0)) && run_soak

    local -a report_args=("$OUT")
    [[ $UPDATE_DOCS == 1 && $SMOKE != 1 ]] && report_args+=(--docs "$DOCS_FILE")
    python3 "$BENCH_DIR/report.py" "${report_args[@]}" || {
        warn "report generation failed"
        ERRORS=$((ERRORS + 1))
    }
    if ((ERRORS > 0)); then
        die "$ERRORS harness error(s); see the status column of $OUT/dataplane.csv and the log above"
    fi
    log "done: $OUT"
}

main "$@"
exit $?
