# shellcheck shell=bash
# Start/stop wrappers for every capturer the harness compares.  Sourced by
# run.sh after lib.sh.
#
# Tool names: BASE or BASE-B, BASE one of pcapctl tcpdump dumpcap pcount.
#   BASE    the tool's own default kernel buffer
#   BASE-B  kernel buffer forced to BUF_MIB (the same for every -B tool)
#
# cap_start TOOL DIR NAME BUF_MIB sets:
#   CAP_PID       pid of the process doing the capture (pcapctl: its agent)
#   CAP_FILE      capture file ("" for pcount)
#   CAP_READY_MS  ms from launch until the capturer was ready
#   CAP_CPU0      its CPU seconds at that moment (start-up: libraries, ring)
# cap_stop TOOL sets (CPU/RSS are sampled just before the stop request):
#   R_WRITTEN R_TOOL_RECV R_TOOL_DROP R_TOOL_IFDROP R_CPU R_RSS R_ERR
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
        timeout -k 5 "$tmo" ip netns exec "$NS_CAP" taskset -c "$CAP_CPU" "$PCAPCTL" "$@" \
        >"$out" 2>"$err" </dev/null
}

cap_start() { # TOOL DIR NAME BUF_MIB
    local tool=$1 dir=$2 name=$3 buf_mib=$4 base=${1%-B} t0
    local -a bufopt=()
    CAP_PID= CAP_FILE= CAP_READY_MS= CAP_CPU0= CAP_ERRMSG= CAP_NAME=$name CAP_DIR=$dir
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
        "${CAPNS[@]}" tcpdump -w "$CAP_FILE" -s "$SNAPLEN" -Z root -n -i "$IF_CAP" "${bufopt[@]}" "${BPF_WORDS[@]}" \
            >"$CAP_LOG_OUT" 2>"$CAP_LOG_ERR" </dev/null &
        CAP_PID=$!
        wait_capturer_ready "$CAP_PID" "$CAP_LOG_ERR" "listening on" 20 || {
            CAP_ERRMSG="tcpdump not ready: $(tail -n 3 "$CAP_LOG_ERR" | tr '\n' ' ')"
            return 1
        }
        ;;
    dumpcap)
        [[ $tool == *-B ]] && bufopt=(-B "$buf_mib") # MiB
        CAP_FILE="$dir/$name.pcap"
        # -P: classic pcap like the others; -q: no live packet counter.
        "${CAPNS[@]}" dumpcap -i "$IF_CAP" -s "$SNAPLEN" "${bufopt[@]}" -P -q -f "$BPF_FILTER" -w "$CAP_FILE" \
            >"$CAP_LOG_OUT" 2>"$CAP_LOG_ERR" </dev/null &
        CAP_PID=$!
        # dumpcap prints "Capturing on" before it opens the device, so
        # readiness also requires its packet socket (wait_capturer_ready).
        wait_capturer_ready "$CAP_PID" "$CAP_LOG_ERR" "Capturing on" 20 || {
            CAP_ERRMSG="dumpcap not ready: $(tail -n 3 "$CAP_LOG_ERR" | tr '\n' ' ')"
            return 1
        }
        ;;
    pcount)
        [[ $tool == *-B ]] && bufopt=(-B "$((buf_mib * 1024 * 1024))") # bytes
        "${CAPNS[@]}" "$BIN/pcount" -i "$IF_CAP" -s "$SNAPLEN" -t "$PCOUNT_TIMEOUT_MS" "${bufopt[@]}" "${BPF_WORDS[@]}" \
            >"$CAP_LOG_OUT" 2>"$CAP_LOG_ERR" </dev/null &
        CAP_PID=$!
        wait_capturer_ready "$CAP_PID" "$CAP_LOG_ERR" "listening on" 20 || {
            CAP_ERRMSG="pcount not ready: $(tail -n 3 "$CAP_LOG_ERR" | tr '\n' ' ')"
            return 1
        }
        ;;
    pcapctl)
        [[ $tool == *-B ]] && bufopt=(--buffer-size "$((buf_mib * 1024 * 1024))") # bytes
        CAP_FILE="$dir/$name.cap"
        # create returns once the capture is Running.
        if ! pcapctl_cli "$(pcapctl_home_for "$dir")" "$dir" "$CAP_LOG_OUT" "$CAP_LOG_ERR" 60 \
            create -n "$name" -l "$PCAPCTL_LOCATION" --file-path "$CAP_FILE" --interface "$IF_CAP" \
            --capture-size "$SNAPLEN" --time-limit 0 --capture-limit 0 \
            --filters "$PCAPCTL_FILTERS" "${bufopt[@]}"; then
            CAP_ERRMSG="pcapctl create failed: $(tail -n 3 "$CAP_LOG_ERR" | tr '\n' ' ')"
            return 1
        fi
        CAP_READY_MS=$(ms_since "$t0")
        local status="$WORK/logs/$name.status0.json"
        pcapctl_cli "$(pcapctl_home_for "$dir")" "$dir" "$status" "$status.err" 30 show-status -n "$name" -l "$PCAPCTL_LOCATION" || true
        CAP_PID=$(json_get "$status" agentPid)
        if [[ ! $CAP_PID =~ ^[0-9]+$ ]] || ! pid_alive "$CAP_PID"; then
            CAP_ERRMSG="pcapctl show-status gave no live agentPid after create"
            return 1
        fi
        # The agent inherits the CLI's affinity when it is spawned by it;
        # pin all its threads anyway in case it was started some other way.
        taskset -a -p -c "$CAP_CPU" "$CAP_PID" >/dev/null 2>&1 || warn "could not pin pcapctl agent $CAP_PID"
        if ! has_packet_socket "$CAP_PID"; then
            CAP_ERRMSG="pcapctl agent $CAP_PID holds no packet socket while Running"
            return 1
        fi
        CAP_CPU0=$(proc_cpu_s "$CAP_PID")
        return 0
        ;;
    *)
        CAP_ERRMSG="unknown tool $tool"
        return 1
        ;;
    esac
    CAP_READY_MS=$(ms_since "$t0")
    CAP_CPU0=$(proc_cpu_s "$CAP_PID")
}

# Best-effort clean-up after a failed cap_start, so a half-started capturer
# does not keep capturing (and burning CPU) through the following runs.
cap_abort() { # TOOL
    local tool=$1
    if [[ ${tool%-B} == pcapctl ]]; then
        pcapctl_cli "$(pcapctl_home_for "$CAP_DIR")" "$CAP_DIR" /dev/null /dev/null 30 stop -n "$CAP_NAME" -l "$PCAPCTL_LOCATION" || true
        pcapctl_cli "$(pcapctl_home_for "$CAP_DIR")" "$CAP_DIR" /dev/null /dev/null 30 delete -n "$CAP_NAME" -l "$PCAPCTL_LOCATION" || true
    fi
    if [[ $CAP_PID =~ ^[0-9]+$ ]] && pid_alive "$CAP_PID"; then
        stop_pid "$CAP_PID" TERM || true
    fi
    [[ -n $CAP_FILE ]] && rm -f -- "$CAP_FILE"
    return 0
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
    local tool=$1 base=${1%-B} rc=0
    R_WRITTEN= R_TOOL_RECV= R_TOOL_DROP= R_TOOL_IFDROP= R_CPU= R_RSS= R_ERR= R_STOP_MS=
    # Sample before the stop request: afterwards the process may be gone.
    R_CPU=$(proc_cpu_s "$CAP_PID")
    R_RSS=$(proc_status_kib "$CAP_PID" VmHWM)
    local t0
    t0=$(now_us)
    case $base in
    tcpdump)
        stop_pid "$CAP_PID" INT || rc=$?
        R_STOP_MS=$(ms_since "$t0")
        R_WRITTEN=$(file_packets "$CAP_FILE")
        R_TOOL_RECV=$(grab "$CAP_LOG_ERR" '^([0-9]+) packets? received by filter.*')
        R_TOOL_DROP=$(grab "$CAP_LOG_ERR" '^([0-9]+) packets? dropped by kernel.*')
        # tcpdump prints the interface line only when that count is non-zero.
        R_TOOL_IFDROP=$(grab "$CAP_LOG_ERR" '^([0-9]+) packets? dropped by interface.*')
        [[ -n $R_TOOL_DROP ]] && R_TOOL_IFDROP=${R_TOOL_IFDROP:-0}
        ;;
    dumpcap)
        stop_pid "$CAP_PID" INT || rc=$?
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
    pcount)
        stop_pid "$CAP_PID" TERM || rc=$?
        R_STOP_MS=$(ms_since "$t0")
        R_WRITTEN=$(grab "$CAP_LOG_OUT" '^captured=([0-9]+) .*')
        R_TOOL_RECV=$(grab "$CAP_LOG_OUT" '.* ps_recv=([0-9]+).*')
        R_TOOL_DROP=$(grab "$CAP_LOG_OUT" '.* ps_drop=([0-9]+).*')
        R_TOOL_IFDROP=$(grab "$CAP_LOG_OUT" '.* ps_ifdrop=([0-9]+).*')
        ;;
    pcapctl)
        local status="$WORK/logs/$CAP_NAME.status.json"
        # stop returns when the file is final.
        if ! pcapctl_cli "$(pcapctl_home_for "$CAP_DIR")" "$CAP_DIR" "$WORK/logs/$CAP_NAME.stop.out" "$WORK/logs/$CAP_NAME.stop.err" 60 \
            stop -n "$CAP_NAME" -l "$PCAPCTL_LOCATION"; then
            R_ERR="pcapctl stop failed: $(tail -n 3 "$WORK/logs/$CAP_NAME.stop.err" | tr '\n' ' ')"
            rc=1
        fi
        R_STOP_MS=$(ms_since "$t0")
        pcapctl_cli "$(pcapctl_home_for "$CAP_DIR")" "$CAP_DIR" "$status" "$status.err" 30 show-status -n "$CAP_NAME" -l "$PCAPCTL_LOCATION" || true
        R_TOOL_RECV=$(json_get "$status" packetsReceived)
        R_TOOL_DROP=$(json_get "$status" packetsDropped)
        R_TOOL_IFDROP=$(json_get "$status" packetsDroppedByInterface)
        R_PCAPCTL_CAPTURED=$(json_get "$status" packetsCaptured)
        R_WRITTEN=$(file_packets "$CAP_FILE")
        if [[ -n $R_WRITTEN && -n $R_PCAPCTL_CAPTURED && $R_WRITTEN != "$R_PCAPCTL_CAPTURED" ]]; then
            warn "pcapctl says packetsCaptured=$R_PCAPCTL_CAPTURED but the file holds $R_WRITTEN"
        fi
        # The agent should be gone (or going) once stop returned.
        if pid_alive "$CAP_PID"; then
            sleep 0.5
            pid_alive "$CAP_PID" && warn "pcapctl agent $CAP_PID still alive after stop returned"
        fi
        pcapctl_cli "$(pcapctl_home_for "$CAP_DIR")" "$CAP_DIR" /dev/null /dev/null 30 delete -n "$CAP_NAME" -l "$PCAPCTL_LOCATION" || true
        ;;
    esac
    if [[ -z $R_ERR ]]; then
        if [[ -z $R_WRITTEN ]]; then
            R_ERR="could not read the number of packets written"
        elif [[ -z $R_TOOL_DROP ]]; then
            R_ERR="could not read the tool's drop count"
        elif ((rc != 0 && rc != 130 && rc != 143)); then
            R_ERR="exit status $rc"
        fi
    fi
    [[ -n $CAP_FILE ]] && rm -f -- "$CAP_FILE"
    [[ -z $R_ERR ]]
}
