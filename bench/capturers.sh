# shellcheck shell=bash
# Start/stop wrappers for every capturer the harness compares.  Sourced by
# run.sh after lib.sh.
#
# Tool names: BASE or BASE-B, BASE one of pcapctl tcpdump dumpcap netsniff-ng
# pcount, or a variant declared in BENCH_VARIANTS (see tool_base below).
#   BASE    the tool's own default kernel buffer
#   BASE-B  kernel buffer forced to BUF_MIB (the same for every -B tool)
#
# Every capturer is started the same way: under bench/reap.c (which reports
# each exited process's whole-life CPU time, start-up and teardown included),
# through `ip netns exec CAP taskset -c CAP_CPU`.  pcapctl's agent is spawned
# by `create` and inherits its affinity; cap_start checks that every thread of
# every capturer is confined to CAP_CPU and fails the run otherwise.
#
# cap_start TOOL DIR NAME BUF_MIB sets:
#   CAP_PID       pid of the process doing the capture (pcapctl: its agent)
#   CAP_FILE      capture file ("" for pcount)
#   CAP_READY_MS  ms from launch until the capturer was ready
#   CAP_CPU0      its CPU seconds at that moment (start-up: libraries, ring)
#   CAP_CPUS      the CPUs its threads may run on (Cpus_allowed_list)
# cap_stop TOOL sets (CPU/RSS are sampled just before the stop request):
#   R_WRITTEN R_TOOL_RECV R_TOOL_DROP R_TOOL_IFDROP R_CPU R_RSS R_ERR
#   R_CPU_TOTAL   whole-life CPU seconds of the capturing process (reap.c)
#   R_CLI_CPU     pcapctl only: CPU seconds of its create and stop commands
#   R_WRITEBACK   CPU seconds that an fsync of the finished file costs afterwards, in a process of its
#                 own: the writeback a capturer that never syncs leaves to the kernel's flusher threads
#   R_STOP_MS     ms from the stop request until the tool has exited / `stop`
#                 returned (pcapctl: includes copying the file to --file-path)
# Both return non-zero (with R_ERR/CAP_ERRMSG set) when the tool misbehaves.

# Filter given to tcpdump, dumpcap and pcount; pcapctl gets the equivalent
# 5-tuple filter (UDP, local port 9), which for this one-way traffic selects
# exactly the same packets.
BPF_FILTER="udp port 9"
read -ra BPF_WORDS <<<"$BPF_FILTER"
PCAPCTL_FILTERS='[{"protocol":"UDP","localPort":"9"}]'
PCOUNT_TIMEOUT_MS=100

CAP_PID=
CAP_FILE=
CAP_READY_MS=
CAP_CPU0=
CAP_ERRMSG=
CAP_NAME=
CAP_DIR=
CAP_LOG_OUT=
CAP_LOG_ERR=
CAP_CPUS=
CAP_REAP_PID=
CAP_REAP_FILE=
CAP_HOME=
CAP_BIN=

# Extra capturer variants, e.g.
#   BENCH_VARIANTS='tcpdump-immediate=tcpdump:--immediate-mode;dumpcap-4M=dumpcap:-B 4'
# NAME=BASE:ARGS, separated by ";".  ARGS are appended to BASE's command line;
# a NAME ending in -B also gets the equal kernel buffer.  Built in:
#   pcapctl-home-disk  pcapctl with its state directory on the disk file
#                      system whatever the destination (the default
#                      /var/lib/pcapctl case), so delivery is a copy
#   pcapctl-baseline   another pcapctl binary, BENCH_BASELINE (e.g. the build
#                      before an engine change), with its defaults, so before
#                      and after alternate round by round in one run
declare -A VARIANT_BASE=([pcapctl-home-disk]=pcapctl [pcapctl-baseline]=pcapctl)
declare -A VARIANT_ARGS=([pcapctl-home-disk]="" [pcapctl-baseline]="")
declare -A VARIANT_HOME=([pcapctl-home-disk]=disk)
declare -A VARIANT_BIN=([pcapctl-baseline]=${BENCH_BASELINE:-})
parse_variants() {
    local entry name rest
    local -a entries
    IFS=';' read -ra entries <<<"${BENCH_VARIANTS:-}"
    for entry in "${entries[@]}"; do
        [[ -n $entry ]] || continue
        name=${entry%%=*} rest=${entry#*=}
        VARIANT_BASE[$name]=${rest%%:*}
        VARIANT_ARGS[$name]=${rest#*:}
    done
}

# The capturer a tool name runs: a variant's base, else the name without -B.
tool_base() {
    if [[ -n ${VARIANT_BASE[$1]:-} ]]; then printf '%s' "${VARIANT_BASE[$1]}"; else printf '%s' "${1%-B}"; fi
}

# The CPUs every thread of PID may run on, e.g. "0" (several lists joined by +).
cpus_of() {
    cat /proc/"$1"/task/*/status 2>/dev/null | awk '$1 == "Cpus_allowed_list:" { print $2 }' | sort -u | paste -sd+
}

# The first child of PID (the reaper's command), waited for briefly after a fork.
first_child() {
    local i kids
    for ((i = 0; i < 200; i++)); do
        kids=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || kids=
        [[ -n $kids ]] && { printf '%s' "${kids%% *}"; return 0; }
        sleep 0.005
    done
    return 1
}

# CPU seconds reap.c recorded for a process that has exited; "" if not yet.
reaped_cpu_s() { # FILE PID
    awk -v p="pid=$2" '$1 == p { for (i = 2; i <= NF; i++) if ($i ~ /^cpu_us=/) { sub(/^cpu_us=/, "", $i); printf "%.6f", $i / 1e6 } }' "$1" 2>/dev/null
}

# Start "reap FILE CMD..." in the background: CAP_REAP_PID is the reaper,
# CAP_PID the command itself (ip netns exec and taskset exec in place).
reap_start() { # OUTLOG ERRLOG CMD...
    local out=$1 err=$2
    shift 2
    CAP_REAP_FILE="$WORK/logs/$CAP_NAME.reap"
    "$BIN/reap" "$CAP_REAP_FILE" "$@" >"$out" 2>"$err" </dev/null &
    CAP_REAP_PID=$!
    CAP_PID=$(first_child "$CAP_REAP_PID") || CAP_PID=
}

# Wait (bounded) until the reaper, and with it everything it inherited, has
# exited; its exit status is its direct child's.
reap_wait() { # TIMEOUT_S
    wait_pid_exit "$CAP_REAP_PID" "$1"
}

# Prefix that runs a command in the capture namespace, pinned to the capture
# CPU.  An array rather than a function: a backgrounded simple command is
# exec'ed in place, so $! is the capturer itself (ip netns exec and taskset
# both exec too), which is what /proc sampling needs.
cap_ns_prefix() { CAPNS=(ip netns exec "$NS_CAP" taskset -c "$CAP_CPU"); }
CAPNS=()

# pcapctl writes the growing capture under PCAPCTL_HOME and copies it to
# --file-path when the capture ends, so its state directory must live on the
# destination's file system, or a "tmpfs" run would really write to disk.
pcapctl_home_for() { printf '%s/.pcapctl-home' "$1"; }

# Run the pcapctl CLI the way a user would, in the capture namespace.  DIR is
# the captures root.  Output always goes to files, never to a pipe: a
# detached agent that kept a pipe open would make the caller hang.
pcapctl_cli() { # HOME DIR OUTFILE ERRFILE TIMEOUT_S ARGS...
    local home=$1 dir=$2 out=$3 err=$4 tmo=$5
    shift 5
    PCAPCTL_HOME=$home PCAPCTL_CAPTURES_ROOT=$dir \
        timeout -k 5 "$tmo" ip netns exec "$NS_CAP" taskset -c "$CAP_CPU" "${CAP_BIN:-$PCAPCTL}" "$@" \
        >"$out" 2>"$err" </dev/null
}

cap_start() { # TOOL DIR NAME BUF_MIB
    local tool=$1 dir=$2 name=$3 buf_mib=$4 base t0
    local -a bufopt=() extra=()
    base=$(tool_base "$tool")
    read -ra extra <<<"${VARIANT_ARGS[$tool]:-}"
    CAP_PID= CAP_FILE= CAP_READY_MS= CAP_CPU0= CAP_ERRMSG= CAP_NAME=$name CAP_DIR=$dir CAP_CPUS= CAP_REAP_PID= CAP_REAP_FILE=
    CAP_BIN=${VARIANT_BIN[$tool]:-$PCAPCTL}
    CAP_LOG_OUT="$WORK/logs/$name.out"
    CAP_LOG_ERR="$WORK/logs/$name.err"
    cap_ns_prefix
    t0=$(now_us)
    case $base in
    tcpdump)
        [[ $tool == *-B ]] && bufopt=(-B "$((buf_mib * 1024))") # KiB
        # .pcap suffix: Debian's AppArmor profile for tcpdump only allows
        # writing *.pcap / *.cap; -Z root stops it dropping to user tcpdump,
        # which could not write into our root-owned directories.
        CAP_FILE="$dir/$name.pcap"
        reap_start "$CAP_LOG_OUT" "$CAP_LOG_ERR" \
            "${CAPNS[@]}" tcpdump -w "$CAP_FILE" -s "$SNAPLEN" -Z root -n -i "$IF_CAP" "${bufopt[@]}" "${extra[@]}" "${BPF_WORDS[@]}"
        wait_capturer_ready "$CAP_PID" "$CAP_LOG_ERR" "listening on" 20 || {
            CAP_ERRMSG="tcpdump not ready: $(tail -n 3 "$CAP_LOG_ERR" | tr '\n' ' ')"
            return 1
        }
        ;;
    dumpcap)
        [[ $tool == *-B ]] && bufopt=(-B "$buf_mib") # MiB
        CAP_FILE="$dir/$name.pcap"
        # -P: classic pcap like the others; -q: no live packet counter.
        reap_start "$CAP_LOG_OUT" "$CAP_LOG_ERR" \
            "${CAPNS[@]}" dumpcap -i "$IF_CAP" -s "$SNAPLEN" "${bufopt[@]}" -P -q "${extra[@]}" -f "$BPF_FILTER" -w "$CAP_FILE"
        # dumpcap prints "Capturing on" before it opens the device, so
        # readiness also requires its packet socket (wait_capturer_ready).
        wait_capturer_ready "$CAP_PID" "$CAP_LOG_ERR" "Capturing on" 20 || {
            CAP_ERRMSG="dumpcap not ready: $(tail -n 3 "$CAP_LOG_ERR" | tr '\n' ' ')"
            return 1
        }
        ;;
    netsniff-ng)
        [[ $tool == *-B ]] && bufopt=(-S "${buf_mib}MiB")
        CAP_FILE="$dir/$name.pcap"
        # -s: no per-packet printout.  It has no snaplen option (whole
        # packets).  Its stdout is a file, so line-buffer it to see "Running!".
        reap_start "$CAP_LOG_OUT" "$CAP_LOG_ERR" \
            "${CAPNS[@]}" stdbuf -oL netsniff-ng -i "$IF_CAP" -o "$CAP_FILE" -s "${bufopt[@]}" "${extra[@]}" -f "$BPF_FILTER"
        wait_capturer_ready "$CAP_PID" "$CAP_LOG_OUT" "Running!" 20 || {
            CAP_ERRMSG="netsniff-ng not ready: $(tail -n 3 "$CAP_LOG_ERR" | tr '\n' ' ')"
            return 1
        }
        ;;
    pcount)
        [[ $tool == *-B ]] && bufopt=(-B "$((buf_mib * 1024 * 1024))") # bytes
        reap_start "$CAP_LOG_OUT" "$CAP_LOG_ERR" \
            "${CAPNS[@]}" "$BIN/pcount" -i "$IF_CAP" -s "$SNAPLEN" -t "$PCOUNT_TIMEOUT_MS" "${bufopt[@]}" "${extra[@]}" "${BPF_WORDS[@]}"
        wait_capturer_ready "$CAP_PID" "$CAP_LOG_ERR" "listening on" 20 || {
            CAP_ERRMSG="pcount not ready: $(tail -n 3 "$CAP_LOG_ERR" | tr '\n' ' ')"
            return 1
        }
        ;;
    pcapctl)
        [[ $tool == *-B ]] && bufopt=(--buffer-size "$((buf_mib * 1024 * 1024))") # bytes
        CAP_FILE="$dir/$name.cap"
        # The state directory on the destination's file system (delivery is
        # then a hard link), unless the variant says otherwise.
        CAP_HOME=$(pcapctl_home_for "$(dest_dir "${VARIANT_HOME[$tool]:-}")")
        [[ -n ${VARIANT_HOME[$tool]:-} ]] || CAP_HOME=$(pcapctl_home_for "$dir")
        # create returns once the capture is Running; the agent it spawns
        # stays beneath the reaper, which reports its CPU when it exits.
        reap_start "$CAP_LOG_OUT" "$CAP_LOG_ERR" env PCAPCTL_HOME="$CAP_HOME" PCAPCTL_CAPTURES_ROOT="$dir" \
            timeout -k 5 60 "${CAPNS[@]}" "$CAP_BIN" \
            create -n "$name" -l "$PCAPCTL_LOCATION" --file-path "$CAP_FILE" --interface "$IF_CAP" \
            --capture-size "$SNAPLEN" --time-limit 0 --capture-limit 0 \
            --filters "$PCAPCTL_FILTERS" "${bufopt[@]}" "${extra[@]}"
        local create_pid=$CAP_PID deadline line
        CAP_PID=
        deadline=$(($(now_us) + 70 * 1000000))
        while :; do
            line=$(grep "^pid=$create_pid direct=1 " "$CAP_REAP_FILE" 2>/dev/null) || line=
            [[ $line == *" status=0 "* ]] && break
            if [[ -n $line ]] || (($(now_us) > deadline)); then
                CAP_ERRMSG="pcapctl create failed: $(tail -n 3 "$CAP_LOG_ERR" | tr '\n' ' ')"
                return 1
            fi
            sleep 0.005
        done
        CAP_READY_MS=$(ms_since "$t0")
        local status="$WORK/logs/$name.status0.json"
        pcapctl_cli "$CAP_HOME" "$dir" "$status" "$status.err" 30 show-status -n "$name" -l "$PCAPCTL_LOCATION" || true
        CAP_PID=$(json_get "$status" agentPid)
        if [[ ! $CAP_PID =~ ^[0-9]+$ ]] || ! pid_alive "$CAP_PID"; then
            CAP_ERRMSG="pcapctl show-status gave no live agentPid after create"
            return 1
        fi
        if ! has_packet_socket "$CAP_PID"; then
            CAP_ERRMSG="pcapctl agent $CAP_PID holds no packet socket while Running"
            return 1
        fi
        CAP_CPU0=$(proc_cpu_s "$CAP_PID")
        check_pinned
        return
        ;;
    *)
        CAP_ERRMSG="unknown tool $tool"
        return 1
        ;;
    esac
    CAP_READY_MS=$(ms_since "$t0")
    CAP_CPU0=$(proc_cpu_s "$CAP_PID")
    check_pinned
}

# Every thread of the capturer must be confined to the capture CPU (pcapctl's
# agent gets there only by inheriting create's affinity; nothing re-pins it).
check_pinned() {
    CAP_CPUS=$(cpus_of "$CAP_PID")
    if [[ $CAP_CPUS != "$CAP_CPU" ]]; then
        CAP_ERRMSG="capturer $CAP_PID may run on CPUs '$CAP_CPUS', not only $CAP_CPU"
        return 1
    fi
}

# Best-effort clean-up after a failed cap_start, so a half-started capturer
# does not keep capturing (and burning CPU) through the following runs.
cap_abort() { # TOOL
    local tool=$1
    if [[ $(tool_base "$tool") == pcapctl && -n $CAP_HOME ]]; then
        pcapctl_cli "$CAP_HOME" "$CAP_DIR" /dev/null /dev/null 30 stop -n "$CAP_NAME" -l "$PCAPCTL_LOCATION" || true
        pcapctl_cli "$CAP_HOME" "$CAP_DIR" /dev/null /dev/null 30 delete -n "$CAP_NAME" -l "$PCAPCTL_LOCATION" || true
    fi
    if [[ $CAP_PID =~ ^[0-9]+$ ]] && pid_alive "$CAP_PID"; then
        kill -TERM "$CAP_PID" 2>/dev/null || true
    fi
    if [[ $CAP_REAP_PID =~ ^[0-9]+$ ]]; then
        reap_wait 10 || { kill -KILL "$CAP_PID" 2>/dev/null || true; reap_wait 5 || true; }
    fi
    [[ -n $CAP_FILE ]] && rm -f -- "$CAP_FILE"
    return 0
}

# Stop a capturer started by reap_start: SIG, then TERM, then KILL, each with
# a bounded wait for the reaper (so for every process beneath it).  Returns
# the capturer's exit status.
stop_reaped() { # SIGNAL
    local rc=0
    kill "-$1" "$CAP_PID" 2>/dev/null || true
    reap_wait 30 || rc=$?
    if ((rc == 124)); then
        warn "pid $CAP_PID ignored SIG$1 for 30 s; sending TERM"
        kill -TERM "$CAP_PID" 2>/dev/null || true
        reap_wait 5 || rc=$?
        if ((rc == 124)); then
            kill -KILL "$CAP_PID" 2>/dev/null || true
            reap_wait 5 || rc=$?
        fi
    fi
    return "$rc"
}

# Packets in a capture file, via capinfos (pcap or pcapng); "" if unreadable.
file_packets() {
    local f=$1 out
    [[ -f $f ]] || return 0
    out=$(timeout 120 capinfos -T -r -c -M "$f" 2>/dev/null) || return 0
    awk -F'\t' 'NF >= 2 && $2 ~ /^[0-9]+$/ { print $2; exit }' <<<"$out"
}

# First integer captured by a sed -E expression from a file; "" if none.
grab() { # FILE SED_REGEX_WITH_ONE_GROUP
    sed -nE "s#$2#\\1#p" "$1" 2>/dev/null | head -n 1
}

cap_stop() { # TOOL
    local tool=$1 base rc=0
    base=$(tool_base "$tool")
    R_WRITTEN= R_TOOL_RECV= R_TOOL_DROP= R_TOOL_IFDROP= R_CPU= R_RSS= R_ERR= R_STOP_MS= R_CPU_TOTAL= R_CLI_CPU= R_WRITEBACK=
    # Sample before the stop request: afterwards the process may be gone.
    R_CPU=$(proc_cpu_s "$CAP_PID")
    R_RSS=$(proc_status_kib "$CAP_PID" VmHWM)
    local t0
    t0=$(now_us)
    case $base in
    tcpdump)
        stop_reaped INT || rc=$?
        R_STOP_MS=$(ms_since "$t0")
        R_WRITTEN=$(file_packets "$CAP_FILE")
        R_TOOL_RECV=$(grab "$CAP_LOG_ERR" '^([0-9]+) packets? received by filter.*')
        R_TOOL_DROP=$(grab "$CAP_LOG_ERR" '^([0-9]+) packets? dropped by kernel.*')
        # tcpdump prints the interface line only when that count is non-zero.
        R_TOOL_IFDROP=$(grab "$CAP_LOG_ERR" '^([0-9]+) packets? dropped by interface.*')
        [[ -n $R_TOOL_DROP ]] && R_TOOL_IFDROP=${R_TOOL_IFDROP:-0}
        ;;
    dumpcap)
        stop_reaped INT || rc=$?
        R_STOP_MS=$(ms_since "$t0")
        R_WRITTEN=$(file_packets "$CAP_FILE")
        # Packets received/dropped on interface 'X': R/D (pcap:P/dumpcap:U/flushed:F/ps_ifdrop:I) (..%)
        R_TOOL_RECV=$(grab "$CAP_LOG_ERR" "^Packets received/dropped on interface .*: ([0-9]+)/[0-9]+ .*")
        R_TOOL_DROP=$(grab "$CAP_LOG_ERR" "^Packets received/dropped on interface .*: [0-9]+/([0-9]+) .*")
        R_TOOL_IFDROP=$(grab "$CAP_LOG_ERR" "^Packets received/dropped on interface .*ps_ifdrop:([0-9]+).*")
        # dumpcap's "received" excludes what it dropped; make it the same
        # quantity as ps_recv (everything that passed the filter).
        [[ -n $R_TOOL_RECV && -n $R_TOOL_DROP ]] && R_TOOL_RECV=$((R_TOOL_RECV + R_TOOL_DROP))
        ;;
    netsniff-ng)
        stop_reaped INT || rc=$?
        R_STOP_MS=$(ms_since "$t0")
        R_WRITTEN=$(file_packets "$CAP_FILE")
        #   N  packets incoming (M unread on exit) / N packets passed filter /
        #   N  packets failed filter (out of space)
        R_TOOL_RECV=$(grab "$CAP_LOG_OUT" '^[[:space:]]*([0-9]+)[[:space:]]+packets incoming.*')
        R_TOOL_DROP=$(grab "$CAP_LOG_OUT" '^[[:space:]]*([0-9]+)[[:space:]]+packets failed filter.*')
        R_TOOL_IFDROP=0
        ;;
    pcount)
        stop_reaped TERM || rc=$?
        R_STOP_MS=$(ms_since "$t0")
        R_WRITTEN=$(grab "$CAP_LOG_OUT" '^captured=([0-9]+) .*')
        R_TOOL_RECV=$(grab "$CAP_LOG_OUT" '.* ps_recv=([0-9]+).*')
        R_TOOL_DROP=$(grab "$CAP_LOG_OUT" '.* ps_drop=([0-9]+).*')
        R_TOOL_IFDROP=$(grab "$CAP_LOG_OUT" '.* ps_ifdrop=([0-9]+).*')
        ;;
    pcapctl)
        local status="$WORK/logs/$CAP_NAME.status.json" create_cpu stop_cpu stop_reap="$WORK/logs/$CAP_NAME.stop.reap"
        # stop returns when the file is final; run under a reaper too, for its CPU.
        if ! PCAPCTL_HOME=$CAP_HOME PCAPCTL_CAPTURES_ROOT=$CAP_DIR "$BIN/reap" "$stop_reap" \
            timeout -k 5 60 "${CAPNS[@]}" "$CAP_BIN" stop -n "$CAP_NAME" -l "$PCAPCTL_LOCATION" \
            >"$WORK/logs/$CAP_NAME.stop.out" 2>"$WORK/logs/$CAP_NAME.stop.err" </dev/null; then
            R_ERR="pcapctl stop failed: $(tail -n 3 "$WORK/logs/$CAP_NAME.stop.err" | tr '\n' ' ')"
            rc=1
        fi
        R_STOP_MS=$(ms_since "$t0")
        # The agent has exited (or is exiting) once stop returned.
        reap_wait 30 || warn "pcapctl agent $CAP_PID still alive 30 s after stop returned"
        R_CPU_TOTAL=$(reaped_cpu_s "$CAP_REAP_FILE" "$CAP_PID")
        create_cpu=$(awk '$2 == "direct=1" { sub(/^cpu_us=/, "", $5); print $5 }' "$CAP_REAP_FILE")
        stop_cpu=$(awk '$2 == "direct=1" { sub(/^cpu_us=/, "", $5); print $5 }' "$stop_reap")
        R_CLI_CPU=$(awk -v a="${create_cpu:-0}" -v b="${stop_cpu:-0}" 'BEGIN { printf "%.6f", (a + b) / 1e6 }')
        pcapctl_cli "$CAP_HOME" "$CAP_DIR" "$status" "$status.err" 30 show-status -n "$CAP_NAME" -l "$PCAPCTL_LOCATION" || true
        R_TOOL_RECV=$(json_get "$status" packetsReceived)
        R_TOOL_DROP=$(json_get "$status" packetsDropped)
        R_TOOL_IFDROP=$(json_get "$status" packetsDroppedByInterface)
        R_PCAPCTL_CAPTURED=$(json_get "$status" packetsCaptured)
        R_WRITTEN=$(file_packets "$CAP_FILE")
        if [[ -n $R_WRITTEN && -n $R_PCAPCTL_CAPTURED && $R_WRITTEN != "$R_PCAPCTL_CAPTURED" ]]; then
            warn "pcapctl says packetsCaptured=$R_PCAPCTL_CAPTURED but the file holds $R_WRITTEN"
        fi
        pcapctl_cli "$CAP_HOME" "$CAP_DIR" /dev/null /dev/null 30 delete -n "$CAP_NAME" -l "$PCAPCTL_LOCATION" || true
        ;;
    esac
    [[ $base == pcapctl ]] || R_CPU_TOTAL=$(reaped_cpu_s "$CAP_REAP_FILE" "$CAP_PID")
    if [[ -z $R_ERR ]]; then
        if [[ -z $R_CPU_TOTAL ]]; then
            R_ERR="no whole-life CPU time recorded for $CAP_PID"
        elif [[ -z $R_WRITTEN ]]; then
            R_ERR="could not read the number of packets written"
        elif [[ -z $R_TOOL_DROP ]]; then
            R_ERR="could not read the tool's drop count"
        elif ((rc != 0 && rc != 130 && rc != 143)); then
            R_ERR="exit status $rc"
        fi
    fi
    # What the file's writeback costs, in a process of its own: nothing for a file already synced
    # (pcapctl's) or on tmpfs, the whole writeback for a capturer that never syncs.
    [[ -n $CAP_FILE && -f $CAP_FILE ]] && R_WRITEBACK=$(file_op_cpu_s fsync "$CAP_FILE" 2>/dev/null)
    [[ -n $CAP_FILE ]] && rm -f -- "$CAP_FILE"
    [[ -z $R_ERR ]]
}
