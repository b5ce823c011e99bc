import Glibc
import Synchronization

/// The system calls pcapctl makes through `SystemCall.perform`, by name: the name is kept in every error
/// (so a message says which call failed) and is what a test names to inject a failure.
public enum SystemCallName: String, Sendable, CaseIterable {
    case open, read, write, pwrite, fsync, ftruncate, fstat, rename, link, unlink, mkdir, flock, poll, eventfd
    case openat, mkdirat, renameat, linkat, unlinkat, fchmod, fallocate
}

/// An errno value with the C library's sentence for it, and the call that returned it.
public struct Errno: Error, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    /// The failing call, when the error came through `SystemCall.perform`.
    public var call: SystemCallName?

    public init(_ rawValue: Int32, call: SystemCallName? = nil) {
        self.rawValue = rawValue
        self.call = call
    }

    public static var current: Errno { Errno(errno) }

    /// The C library's sentence ("No space left on device"), as every message has always shown it.
    public var description: String { String(cString: strerror(rawValue)) }

    /// The sentence with the call in front ("write: No space left on device"), for logs.
    public var detailedDescription: String { call.map { "\($0.rawValue): \(description)" } ?? description }
}

extension Errno: Equatable {
    /// Two errors are the same error whatever call reported them.
    public static func == (lhs: Errno, rhs: Errno) -> Bool { lhs.rawValue == rhs.rawValue }
}

/// The one place system calls are made from: EINTR is retried here, errno is captured with the call's
/// name, and a test can make a named call fail (swift-system's mocking seam, always compiled in, costing one
/// relaxed atomic load when no failure is armed).
public enum SystemCall {
    /// Calls `body` until it stops failing with EINTR; returns its result or the errno it failed with.
    @inline(__always)
    public static func perform<T: FixedWidthInteger>(_ name: SystemCallName, _ body: () -> T) -> Result<T, Errno> {
        if FailureInjection.isArmed.load(ordering: .relaxed), let injected = FailureInjection.take(name) {
            errno = injected
            return .failure(Errno(injected, call: name))
        }
        while true {
            let result = body()
            if result == -1 {
                let code = errno
                if code == EINTR { continue }
                return .failure(Errno(code, call: name))
            }
            return .success(result)
        }
    }

    /// Like `perform`, for calls that return their error (posix_fallocate, posix_spawn) instead of setting errno.
    @inline(__always)
    public static func performReturningError(_ name: SystemCallName, _ body: () -> Int32) -> Result<Void, Errno> {
        if FailureInjection.isArmed.load(ordering: .relaxed), let injected = FailureInjection.take(name) {
            return .failure(Errno(injected, call: name))
        }
        while true {
            let result = body()
            if result == EINTR { continue }
            return result == 0 ? .success(()) : .failure(Errno(result, call: name))
        }
    }
}

/// Failures armed by tests: "the Nth call of `write` from now, on this thread, fails with ENOSPC".
/// Scoped to the arming thread, so tests running in parallel never see each other's failures.
public enum FailureInjection {
    private struct Armed {
        var skip: Int
        var errno: Int32
        var repeats: Bool
        var thread: pthread_t
    }

    fileprivate static let isArmed = Atomic<Bool>(false)
    private static let armed = Mutex<[SystemCallName: [Armed]]>([:])

    /// Makes the call named `name` on this thread fail with `errno` after `skip` successful calls, once or
    /// (with `repeats`) every time until `disarm`.
    public static func arm(_ name: SystemCallName, errno: Int32, after skip: Int = 0, repeats: Bool = false) {
        let entry = Armed(skip: skip, errno: errno, repeats: repeats, thread: pthread_self())
        armed.withLock { $0[name, default: []].append(entry) }
        isArmed.store(true, ordering: .releasing)
    }

    /// Disarms every failure this thread armed.
    public static func disarm() {
        let current = pthread_self()
        armed.withLock { table in
            for (name, entries) in table { table[name] = entries.filter { pthread_equal($0.thread, current) == 0 } }
            table = table.filter { !$0.value.isEmpty }
            isArmed.store(!table.isEmpty, ordering: .releasing)
        }
    }

    fileprivate static func take(_ name: SystemCallName) -> Int32? {
        let current = pthread_self()
        return armed.withLock { table in
            guard var entries = table[name], let index = entries.firstIndex(where: { pthread_equal($0.thread, current) != 0 }) else { return nil }
            if entries[index].skip > 0 {
                entries[index].skip -= 1
                table[name] = entries
                return nil
            }
            let code = entries[index].errno
            if !entries[index].repeats { entries.remove(at: index) }
            table[name] = entries.isEmpty ? nil : entries
            return code
        }
    }
}
