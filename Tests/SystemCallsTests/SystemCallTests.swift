import Glibc
import SystemCalls
import Testing

/// The syscall layer itself: the failing call is kept, EINTR never escapes, injected failures fire as armed.
@Suite(.serialized)
struct SystemCallTests {
    @Test func failuresKeepTheirCall() {
        let result = SystemCall.perform(.open) { open("/nonexistent/x", O_RDONLY) }
        guard case .failure(let error) = result else { Issue.record("opened a missing file"); return }
        #expect(error.rawValue == ENOENT)
        #expect(error.call == .open)
        #expect(error.detailedDescription == "open: No such file or directory")
    }

    @Test func injectedFailuresFireAfterTheArmedCount() throws {
        defer { FailureInjection.disarm() }
        FailureInjection.arm(.fsync, errno: EIO, after: 1)
        let path = "/tmp/pcapctl-syscall-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        defer { unlink(path) }
        let file = try FileSystem.open(path, O_WRONLY | O_CREAT | O_EXCL)
        try file.sync()  // the first call goes through
        #expect(throws: Errno(EIO)) { try file.sync() }
        try file.sync()  // armed once: the third call goes through again
    }

    @Test func repeatingInjectionsLastUntilDisarmed() throws {
        FailureInjection.arm(.write, errno: ENOSPC, repeats: true)
        let file = try FileSystem.open("/dev/null", O_WRONLY)
        #expect(throws: Errno(ENOSPC)) { try file.writeAll([1]) }
        #expect(throws: Errno(ENOSPC)) { try file.writeAll([1]) }
        FailureInjection.disarm()
        try file.writeAll([1])
    }

    @Test(arguments: [
        ("1234 (sleep) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 98765 1000 100", UInt64(98765)),
        ("42 (a b) c)) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 555 0", UInt64(555)),
    ])
    func startTicksAreField22(_ line: String, _ ticks: UInt64) {
        #expect(ProcessStat.startTicks(parsing: Array(line.utf8)) == ticks)
    }

    @Test func truncatedStatLinesHaveNoStartTime() {
        #expect(ProcessStat.startTicks(parsing: Array("1 (x) S 1 2".utf8)) == nil)
        #expect(ProcessStat.startTicks(parsing: Array("no parenthesis".utf8)) == nil)
        #expect(ProcessStat.startTicks(of: getpid()) != nil)
    }

    @Test func eventDescriptorsWakeAPoller() throws {
        let event = try EventDescriptor()
        var entry = pollfd(fd: event.rawValue, events: Int16(POLLIN), revents: 0)
        #expect(poll(&entry, 1, 0) == 0)
        event.signal()
        #expect(poll(&entry, 1, 0) == 1)
    }
}
