import CSystemShim
import Glibc

/// An eventfd that one thread signals and another polls: the capture loop sleeps in poll(2) until packets
/// arrive or a stop is asked for. Safe to signal from any thread (write(2) on an eventfd is atomic).
public final class EventDescriptor: Sendable {
    public let rawValue: Int32

    /// A non-blocking, close-on-exec eventfd.
    public init() throws(Errno) {
        rawValue = try SystemCall.perform(.eventfd) { pcapctl_wakeup_descriptor() }.get()
    }

    deinit { _ = Glibc.close(rawValue) }

    /// Wakes the poller. Never fails in practice: the counter cannot overflow from one write per stop.
    public func signal() {
        var one: UInt64 = 1
        _ = SystemCall.perform(.write) { Glibc.write(rawValue, &one, MemoryLayout<UInt64>.size) }
    }

    /// Sleeps until the descriptor has been signalled, then clears it: signals sent meanwhile count as one.
    public func wait() {
        var entry = pollfd(fd: rawValue, events: Int16(POLLIN), revents: 0)
        _ = SystemCall.perform(.poll) { Glibc.poll(&entry, 1, -1) }
        var count: UInt64 = 0
        _ = SystemCall.perform(.read) { Glibc.read(rawValue, &count, MemoryLayout<UInt64>.size) }
    }
}

/// Seconds on the monotonic clock, for deadlines that wall-clock changes cannot move.
public enum MonotonicClock {
    public static func seconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

/// What /proc/PID/stat says of a process that pcapctl needs: its start time, which tells a live agent from
/// an unrelated process that later got the same pid.
public enum ProcessStat {
    /// Start time in clock ticks since boot (field 22), or nil when the process does not exist.
    public static func startTicks(of pid: Int32) -> UInt64? {
        guard let bytes = try? FileSystem.readFile("/proc/\(pid)/stat") else { return nil }
        return startTicks(parsing: bytes)
    }

    /// Field 22 of a stat line. The command name (field 2) may hold spaces and parentheses, so the fields
    /// are counted from after its last ')'.
    public static func startTicks(parsing line: [UInt8]) -> UInt64? {
        guard let close = line.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = line[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(String(decoding: fields[19], as: UTF8.self))
    }
}
