import CSystemShim
import Glibc
import SystemCalls

/// Which agent to start: one instance of a capture, and the one-time token its starting status holds, so
/// that an agent started by hand (or twice) for a capture that is not starting refuses to run.
public struct AgentAssignment: Sendable, Equatable {
    public var location: String
    public var name: String
    public var instanceKey: String
    public var launchToken: String

    public init(location: String, name: String, instanceKey: String, launchToken: String) {
        self.location = location
        self.name = name
        self.instanceKey = instanceKey
        self.launchToken = launchToken
    }
}

/// How agents are started: each front end supplies one (the CLI and the daemon re-execute a binary that
/// runs the capture agent), so the operations layer never assembles a command line itself.
public protocol AgentLauncher: Sendable {
    /// Starts the agent for `assignment`, handing it `lock` (the instance's agent lock, held by the caller),
    /// with the environment that finds the same state. Returns the agent's process id.
    func launch(_ assignment: AgentAssignment, paths: InstancePaths, lock: FileLock, environment: PcapCtlEnvironment) throws(PcapCtlError) -> Int32
}

/// Starts, finds and stops capture agents: background processes (this same binary, re-executed with a
/// hidden verb) that outlive the command that started them.
///
/// Liveness is the agent's lock: create takes `agent.lock` exclusively and hands the locked descriptor to
/// the agent it spawns, so the lock is held exactly as long as the agent lives, with no window at start.
/// A signal is only ever sent while that lock is held, and to the pid recorded in it whose process start
/// time still matches, so a pid reused after a reboot or a crash is never signalled.
public enum AgentSupervisor {
    /// The descriptor number the agent finds its lock on.
    public static let inheritedLockDescriptor: Int32 = 3

    /// The signals that ask an agent to stop: SIGTERM (stop, delete), SIGINT and SIGHUP.
    public static var stopSignals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, signal) }
        return set
    }

    /// Spawns the agent for one instance in a new session, with stdin from /dev/null and output to its log,
    /// handing it `lock` (the instance's agent lock, held by the caller; see `CaptureStore.insert`).
    public static func spawn(executable: String, arguments: [String], environment: [String], paths: InstancePaths, lock: FileLock) throws(PcapCtlError) -> Int32 {
        // A descriptor well above 3, so dup2 onto 3 always clears close-on-exec in the child.
        let highLock = fcntl(lock.descriptor.rawValue, F_DUPFD_CLOEXEC, 64)
        guard highLock >= 0 else { throw .failure("cannot duplicate the agent lock: \(Errno.current)") }
        defer { close(highLock) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, paths.agentLog, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, highLock, inheritedLockDescriptor)
        pcapctl_spawn_file_actions_addclosefrom(&actions, inheritedLockDescriptor + 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The agent starts with its stop signals blocked, so one sent at any moment (even before the agent
        // is ready to handle it) stays pending until the agent takes it with sigwait.
        var stopSignals = AgentSupervisor.stopSignals
        posix_spawnattr_setsigmask(&attributes, &stopSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in Int32(1)..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(pcapctl_POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw .failure("cannot start the capture agent \(executable): \(Errno(result))") }

        let record = Array("\(pid) \(ProcessStat.startTicks(of: pid) ?? 0)\n".utf8)
        _ = ftruncate(lock.descriptor.rawValue, 0)
        _ = record.withUnsafeBytes { pwrite(lock.descriptor.rawValue, $0.baseAddress, $0.count, 0) }
        // Closing (never unlocking) our descriptor leaves the lock with the agent.
        return pid
    }

    /// The path of the running executable, for re-executing it as an agent.
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func isAlive(_ paths: InstancePaths) -> Bool {
        FileLock.isHeld(at: paths.agentLock)
    }

    /// The agent's pid, if its lock is held and the recorded process is still the one that was started.
    /// The spawner records the pid just after the spawn, so a record still empty is waited for briefly.
    public static func livePid(_ paths: InstancePaths) -> Int32? {
        for _ in 0..<200 {
            guard isAlive(paths), let bytes = try? FileSystem.readFile(paths.agentLock) else { return nil }
            let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard fields.count == 2, let pid = Int32(fields[0]), let ticks = UInt64(fields[1]), pid > 1 else {
                usleep(10_000)
                continue
            }
            return ProcessStat.startTicks(of: pid) == ticks ? pid : nil
        }
        return nil
    }

    /// Asks the agent to stop (SIGTERM), recording why, without waiting. Returns its pid, or nil if no
    /// agent was running.
    @discardableResult
    public static func requestStop(_ paths: InstancePaths, reason: String) -> Int32? {
        guard let pid = livePid(paths) else { return nil }
        try? FileSystem.writeAtomically(Array(reason.utf8), to: paths.stopReason)
        kill(pid, SIGTERM)
        return pid
    }

    /// Asks the agent to stop and waits until it has written its final status and exited; after `timeout`
    /// seconds it is killed. Returns false if no agent was running.
    @discardableResult
    public static func stop(_ paths: InstancePaths, reason: String, timeout: Double = 30) -> Bool {
        guard let pid = requestStop(paths, reason: reason) else { return false }
        if waitForExit(paths, seconds: timeout) { return true }
        if livePid(paths) == pid { kill(pid, SIGKILL) }
        _ = waitForExit(paths, seconds: 5)
        return true
    }

    /// Polls until the agent's lock is free; true if it was freed in time.
    public static func waitForExit(_ paths: InstancePaths, seconds: Double) -> Bool {
        let deadline = MonotonicClock.seconds() + seconds
        while isAlive(paths) {
            if MonotonicClock.seconds() >= deadline { return false }
            usleep(10_000)
        }
        return true
    }
}
