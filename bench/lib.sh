# shellcheck shell=bash
# Shared helpers for the pcapctl benchmark harness: logging, clocks, the two
# network namespaces and their veth pair, interface counters and /proc
# sampling.  Sourced by run.sh; defines functions and a few globals only.

# ---------------------------------------------------------------- logging
log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
warn() { printf '[bench %(%H:%M:%S)T] WARNING: %s\n' -1 "$*" >&2; }
die() {
    printf '[bench %(%H:%M:%S)T] ERROR: %s\n' -1 "$*" >&2
    exit 1
}

# Wall clock in microseconds, without forking (bash 5 EPOCHREALTIME).
now_us() {
    local t=${EPOCHREALTIME/[.,]/}
    printf '%s' "$((10#$t))"
}

# Elapsed milliseconds (3 decimals) since a now_us value.
ms_since() {
    local start=$1 end
    end=$(now_us)
    awk -v d="$((end - start))" 'BEGIN { printf "%.3f", d / 1000 }'
}

# ------------------------------------------------------------ namespaces
# Globals set by netns_setup: NS_GEN NS_CAP IF_GEN IF_CAP MAC_GEN MAC_CAP
IF_GEN=veth-gen
IF_CAP=veth-cap
IP_GEN=198.18.0.1 # RFC 2544 benchmarking range; never routed anywhere
IP_CAP=198.18.0.2
NS_GEN=
NS_CAP=

netns_setup() {
    NS_GEN="pcb-gen-$$"
    NS_CAP="pcb-cap-$$"
    ip netns add "$NS_GEN"
    ip netns add "$NS_CAP"
    # Create the pair inside the generator namespace with its peer directly in
    # the capture namespace: the names never exist in the root namespace, so
    # parallel runs and the host's own interfaces cannot collide.
    ip -n "$NS_GEN" link add "$IF_GEN" type veth peer name "$IF_CAP" netns "$NS_CAP"
    local ns
    for ns in "$NS_GEN" "$NS_CAP"; do
        # No IPv6 means no router/neighbour solicitations or MLD reports that
        # would show up in the interface counters we cross-check.
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
        ip -n "$ns" link set lo up
    done
    # UDP to a closed port makes the capture side answer with ICMP port
    # unreachable; one per minute is plenty and keeps return traffic negligible.
    ip netns exec "$NS_CAP" sysctl -qw net.ipv4.icmp_ratelimit=60000
    ip -n "$NS_GEN" addr add "$IP_GEN/30" dev "$IF_GEN"
    ip -n "$NS_CAP" addr add "$IP_CAP/30" dev "$IF_CAP"
    ip -n "$NS_GEN" link set "$IF_GEN" up
    ip -n "$NS_CAP" link set "$IF_CAP" up
    MAC_GEN=$(ip netns exec "$NS_GEN" cat "/sys/class/net/$IF_GEN/address")
    MAC_CAP=$(ip netns exec "$NS_CAP" cat "/sys/class/net/$IF_CAP/address")
    # Static neighbours: no ARP exchange, and the replayed frames (which carry
    # these MACs) are addressed to the capture side and accepted by its stack.
    ip -n "$NS_GEN" neigh replace "$IP_CAP" lladdr "$MAC_CAP" dev "$IF_GEN" nud permanent
    ip -n "$NS_CAP" neigh replace "$IP_GEN" lladdr "$MAC_GEN" dev "$IF_CAP" nud permanent
    log "netns $NS_GEN ($IF_GEN $MAC_GEN $IP_GEN) <-> $NS_CAP ($IF_CAP $MAC_CAP $IP_CAP)"
}

# Kill whatever still runs inside our own namespaces (only processes this
# harness started live there), then delete them; the veth pair goes with them.
netns_teardown() {
    local ns pids pid i
    for ns in "$NS_GEN" "$NS_CAP"; do
        [[ -n $ns ]] || continue
        ip netns list 2>/dev/null | grep -qw -- "$ns" || continue
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
        for ((i = 0; i < 30; i++)); do
            pids=$(ip netns pids "$ns" 2>/dev/null || true)
            [[ -z $pids ]] && break
            sleep 0.1
        done
        for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || warn "could not delete netns $ns"
    done
}

# Read one statistics counter of an interface inside a namespace.
if_counter() { # NS IFACE COUNTER
    ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# ---------------------------------------------------------------- /proc
CLK_TCK=$(getconf CLK_TCK)

# CPU seconds (user+system, all threads) of a live process; "" if gone.
# /proc/PID/stat counts in clock ticks (10 ms), too coarse for a 64-byte
# burst that costs tcpdump ~30 ms; the per-thread schedstat run time is in
# nanoseconds but misses threads that already exited.  Take the larger.
proc_cpu_s() {
    local pid=$1 stat rest ticks_s sched_ns
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
    # Fields after the ")" that closes comm: state is field 3, utime 14, stime 15.
    rest=${stat##*) }
    ticks_s=$(awk -v tck="$CLK_TCK" '{ printf "%.4f", ($12 + $13) / tck }' <<<"$rest")
    sched_ns=$(cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }')
    awk -v a="$ticks_s" -v b="${sched_ns:-0}" 'BEGIN { b /= 1e9; printf "%.4f", (a > b ? a : b) }'
}

# A field of /proc/PID/status in KiB (VmHWM, VmRSS); "" if gone.
proc_status_kib() {
    local pid=$1 key=$2
    awk -v k="$key:" '$1 == k { print $2 }' "/proc/$pid/status" 2>/dev/null || true
}

pid_alive() { [[ -d /proc/$1 ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# Wait (bounded) for a background child to exit; returns its exit status,
# or 124 after the deadline.
wait_pid_exit() { # PID TIMEOUT_S
    local pid=$1 deadline rc=0
    deadline=$(($(now_us) + $2 * 1000000))
    while pid_alive "$pid"; do
        (($(now_us) < deadline)) || return 124
        sleep 0.01 # fine-grained: stop latency is one of the figures
    done
    wait "$pid" 2>/dev/null || rc=$?
    return "$rc"
}

# True once PID holds an AF_PACKET socket (seen in its own netns's
# /proc/PID/net/packet).  Used as a readiness check because some tools print
# their "capturing" line before they open the device.
has_packet_socket() { # PID
    local pid=$1 inodes fd link
    inodes=$(awk 'NR > 1 { print $9 }' "/proc/$pid/net/packet" 2>/dev/null) || return 1
    [[ -n $inodes ]] || return 1
    for fd in /proc/"$pid"/fd/*; do
        link=$(readlink "$fd" 2>/dev/null) || continue
        [[ $link == socket:\[*\] ]] || continue
        link=${link#socket:\[}
        link=${link%\]}
        grep -qx -- "$link" <<<"$inodes" && return 0
    done
    return 1
}

# Poll until a process prints PATTERN to FILE and holds a packet socket,
# bounded by TIMEOUT_S.  Fails early if the process dies.
wait_capturer_ready() { # PID FILE PATTERN TIMEOUT_S
    local pid=$1 file=$2 pattern=$3 deadline
    deadline=$(($(now_us) + $4 * 1000000))
    while (($(now_us) < deadline)); do
        pid_alive "$pid" || return 1
        if grep -q -- "$pattern" "$file" 2>/dev/null && has_packet_socket "$pid"; then
            return 0
        fi
        sleep 0.01
    done
    return 124
}

# After a burst, wait until the capturer has caught up: its CPU time must
# stop moving for two 250 ms intervals, with at least MIN_S and at most
# MAX_S in total.
# A capturer with a big buffer can still be writing long after the last
# packet was sent; a fixed pause would cut it off on a slow disk.
wait_quiescent() { # PID MIN_S MAX_S
    local pid=$1 min_s=$2 max_s=$3 start last cur stable=0
    start=$(now_us)
    sleep "$min_s"
    last=$(proc_cpu_s "$pid")
    while :; do
        (($(now_us) - start < max_s * 1000000)) || {
            warn "pid $pid still busy after ${max_s}s drain"
            return 0
        }
        sleep 0.25
        cur=$(proc_cpu_s "$pid")
        [[ -n $cur ]] || return 0
        # Idle = under 5 ms of CPU per 250 ms: timeouts and status updates
        # keep a waiting capturer from being perfectly still.
        if awk -v a="$cur" -v b="$last" 'BEGIN { exit !(a - b < 0.005) }'; then
            stable=$((stable + 1))
            ((stable >= 2)) && return 0
        else
            stable=0
        fi
        last=$cur
    done
}

# CPU seconds (user + system) that fsync or unlink of FILE costs the process doing it: the writeback of
# what is still dirty, or the freeing of the file's pages and blocks.
file_op_cpu_s() { # fsync|unlink FILE
    python3 -c 'import os, resource, sys
op, path = sys.argv[1], sys.argv[2]
fd = os.open(path, os.O_RDONLY) if op == "fsync" else None
before = resource.getrusage(resource.RUSAGE_SELF)
if fd is None:
    os.unlink(path)
else:
    os.fsync(fd)
after = resource.getrusage(resource.RUSAGE_SELF)
print("%.6f" % (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime))' "$1" "$2"
}

# ------------------------------------------------------------ knobs
# The value a per-size knob gives SIZE-byte frames. ENTRIES are SIZE:N pairs ("64:1000000 1500:200000");
# a plain N applies to every size no pair names. Prints nothing and fails when none applies.
value_for_size() { # SIZE ENTRIES...
    local size=$1 entry plain= listed=
    shift
    for entry in "$@"; do
        if [[ $entry != *:* ]]; then plain=$entry; elif [[ ${entry%%:*} == "$size" ]]; then listed=${entry#*:}; fi
    done
    [[ ${listed:-$plain} =~ ^[1-9][0-9]*$ ]] && printf '%s' "${listed:-$plain}"
}

# ---------------------------------------------------------------- JSON
# Print the first value found for any of KEYS anywhere in a JSON document
# (keys may be nested); prints nothing if none is present.
json_get() { # FILE KEY...
    python3 - "$@" <<'PY'
import json, sys
path, keys = sys.argv[1], sys.argv[2:]
try:
    with open(path) as f:
        doc = json.load(f)
except Exception:
    sys.exit(0)
def walk(node, key):
    if isinstance(node, dict):
        if key in node and not isinstance(node[key], (dict, list)):
            return node[key]
        for v in node.values():
            r = walk(v, key)
            if r is not None:
                return r
    elif isinstance(node, list):
        for v in node:
            r = walk(v, key)
            if r is not None:
                return r
    return None
for k in keys:
    v = walk(doc, k)
    if v is not None:
        print(str(v).lower() if isinstance(v, bool) else v)
        break
PY
}

# Median of numbers on stdin (one per line); empty input prints nothing.
median() {
    sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%s", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}
