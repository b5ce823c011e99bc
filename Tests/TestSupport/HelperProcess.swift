import Foundation

/// A program a test starts beside pcapctl (a bystander, a process that holds a namespace open).
///
/// It starts with an empty signal mask and default dispositions. The test runner blocks SIGTERM and
/// `Foundation.Process` hands its mask on, so a helper started that way shrugs off SIGTERM: a test of who
/// gets signalled would then prove nothing, and the helper would outlive its test. It is killed (SIGKILL)
/// and reaped when released, so none survives the test that started it.
public final class HelperProcess: @unchecked Sendable {
    public let pid: pid_t
    /// The wait status, once the process has been reaped.
    private var waitStatus: Int32?

    public init(_ executable: String, _ arguments: [String]) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw LabError(message: "cannot start \(executable): \(String(cString: strerror(result)))") }
        pid = child
    }

    deinit { kill() }

    /// Whether the process has not exited yet (it is reaped as soon as it has).
    public var isRunning: Bool {
        guard waitStatus == nil else { return false }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return true }
        waitStatus = status
        return false
    }

    /// The signal that ended the process, if one did.
    public var terminatingSignal: Int32? {
        guard !isRunning, let status = waitStatus, status & 0x7f != 0, status & 0x7f != 0x7f else { return nil }
        return status & 0x7f
    }

    /// Kills the process with SIGKILL, which nothing can block, and reaps it.
    public func kill() {
        guard isRunning else { return }
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        waitStatus = status
    }

    /// The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), which tells it apart
    /// from a later process that reuses its pid.
    public var startTicks: String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.split(separator: ")").last
        else { return nil }
        let fields = afterName.split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }
}

/// Checks `condition` every 10 ms until it holds or `seconds` have passed; returns whether it held.
/// For waiting on a real condition instead of sleeping for a guessed time.
@discardableResult
public func waitUntil(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        usleep(10_000)
    }
}

/// Whether process `pid` has ended: gone, or a zombie waiting for its parent.
public func processHasEnded(_ pid: Int) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
    return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
}
