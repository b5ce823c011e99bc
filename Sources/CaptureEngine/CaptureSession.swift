import CPcap
import Glibc
import Synchronization
import SystemCalls

/// How a capture ended.
public enum CaptureEnd: Sendable, Equatable {
    /// `requestStop()` was called (a signal reached the agent).
    case stopRequested
    case timeLimitReached
    case byteLimitReached
    /// A rotating capture that keeps its files filled the last one it may write (`FileRotation.maximumFiles`).
    case fileCountReached
    /// libpcap failed while capturing (the interface went away, ...), or a tick asked to stop with an error.
    case captureFailed(String)
    /// Writing the file failed (errno), e.g. a full disk.
    case writeFailed(Int32)
}

/// Progress handed to the once-a-second tick, after the file has been flushed.
public struct CaptureProgress: Sendable {
    public var packetsWritten: UInt64
    public var bytesWritten: UInt64
    public var statistics: CaptureStatistics?
}

/// Asks a running capture to finish, from any thread: the one part of a session that is shared.
public final class CaptureStopHandle: Sendable {
    fileprivate let requested = Atomic<Bool>(false)
    /// Signalled on a stop, so the loop can sleep until packets, a stop request or the next tick, rather
    /// than waking every block timeout to look at the flag.
    fileprivate let wakeup: EventDescriptor
    private let handle: PcapHandle

    fileprivate init(handle: PcapHandle) throws(CaptureError) {
        self.handle = handle
        do { wakeup = try EventDescriptor() } catch {
            throw CaptureError(.failed, "cannot create an eventfd: \(error)")
        }
    }

    public func requestStop() {
        requested.store(true, ordering: .releasing)
        handle.breakLoop()
        wakeup.signal()
    }
}

/// Runs one capture: libpcap handle in, pcap file out, until a limit, a stop request or a failure.
/// Owned and run by one thread; other threads reach it only through `stopHandle`.
public final class CaptureSession {
    public let handle: PcapHandle
    public let writer: CaptureFileWriter
    public let stopHandle: CaptureStopHandle
    private let configuration: CaptureConfiguration
    /// Seconds on the monotonic clock after which the session ends; nil for no time limit.
    private let monotonicDeadline: Double?
    /// Seconds between ticks: progress reports and flushes of the file.
    private static let tickInterval = 1.0

    /// Opens the handle and creates the output file; the time limit starts counting now.
    public convenience init(configuration: CaptureConfiguration, outputPath: String, byteLimit: UInt64, timeLimitSeconds: UInt64) throws(CaptureError) {
        try self.init(configuration: configuration, timeLimitSeconds: timeLimitSeconds) { handle, deadline, _ throws(CaptureError) in
            try CaptureFileWriter(path: outputPath, linkType: handle.linkType, snapshotLength: handle.snapshotLength, byteLimit: byteLimit, deadlineMicroseconds: deadline)
        }
    }

    /// Opens the handle and the first file of a rotation (continuous capture); the time limit starts now.
    public convenience init(configuration: CaptureConfiguration, rotation: FileRotation, timeLimitSeconds: UInt64) throws(CaptureError) {
        try self.init(configuration: configuration, timeLimitSeconds: timeLimitSeconds) { handle, deadline, startSeconds throws(CaptureError) in
            try CaptureFileWriter(rotation: rotation, startSeconds: startSeconds, linkType: handle.linkType, snapshotLength: handle.snapshotLength, deadlineMicroseconds: deadline)
        }
    }

    private init(configuration: CaptureConfiguration, timeLimitSeconds: UInt64, writer makeWriter: (PcapHandle, Int64, Int) throws(CaptureError) -> CaptureFileWriter) throws(CaptureError) {
        self.configuration = configuration
        handle = try PcapHandle.open(configuration)
        stopHandle = try CaptureStopHandle(handle: handle)
        let nowWall = Self.wallClockMicroseconds()
        let hasTimeLimit = timeLimitSeconds > 0
        monotonicDeadline = hasTimeLimit ? Self.monotonicSeconds() + Double(timeLimitSeconds) : nil
        writer = try makeWriter(handle, hasTimeLimit ? nowWall + Int64(timeLimitSeconds) * 1_000_000 : .max, Int(nowWall / 1_000_000))
    }

    /// Captures until the session ends, calling `tick` about once a second after a flush; a tick that returns
    /// a message ends the capture as failed. A rotating writer's closed files go to `filesClosed` as soon as
    /// the read that closed them returns. The last packets the kernel holds are drained before returning.
    public func run(filesClosed: ([ClosedFile]) -> Void = { _ in }, tick: (CaptureProgress) -> String?) -> CaptureEnd {
        var nextTick = Self.monotonicSeconds() + Self.tickInterval
        var end: CaptureEnd
        // libpcap's TPACKET_V3 reader may wait forever on a quiet link (the kernel retires only non-empty
        // blocks), so the loop waits itself, with a bound, and reads without blocking.
        handle.setNonBlocking()
        var pollEntries = [
            pollfd(fd: handle.selectableDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopHandle.wakeup.rawValue, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            _ = poll(&pollEntries, 2, millisecondsUntil(min(nextTick, monotonicDeadline ?? nextTick)))
            let result = withExtendedLifetime(writer) {
                pcap_dispatch(handle.pointer, -1, Self.handlePacket, Unmanaged.passUnretained(writer).toOpaque().assumingMemoryBound(to: UInt8.self))
            }
            if writer.hasClosedFiles { filesClosed(writer.takeClosedFiles()) }
            if let outcome = limitOutcome() { end = outcome; break }
            if result == PCAP_ERROR {
                end = .captureFailed(handle.lastError)
                break
            }
            if stopHandle.requested.load(ordering: .acquiring) { end = .stopRequested; break }
            let now = Self.monotonicSeconds()
            if let deadline = monotonicDeadline, now >= deadline { end = .timeLimitReached; break }
            if now >= nextTick {
                nextTick = now + Self.tickInterval
                writer.checkpoint()
                if let error = writer.writeError { end = .writeFailed(error); break }
                if let failure = tick(progress) { end = .captureFailed(failure); break }
            }
        }
        if end == .stopRequested || end == .timeLimitReached {
            drain(pollEntry: &pollEntries[0])
            if let outcome = limitOutcome(), outcome != .timeLimitReached { end = outcome }
        }
        writer.finish()
        if let error = writer.writeError { end = .writeFailed(error) }
        return end
    }

    /// A poll timeout that ends at `instant` on the monotonic clock, rounded up so the loop never spins.
    private func millisecondsUntil(_ instant: Double) -> Int32 {
        let remaining = (instant - Self.monotonicSeconds()) * 1000
        return remaining <= 0 ? 0 : Int32(min(remaining.rounded(.up), Double(Int32.max)))
    }

    public var progress: CaptureProgress {
        CaptureProgress(packetsWritten: writer.packetsWritten, bytesWritten: writer.bytesWritten, statistics: handle.statistics(delivered: writer.packetsOffered))
    }

    /// Reads the packets the kernel still holds. With TPACKET_V3 a partly filled block reaches user space
    /// only when the kernel's block timer retires it, at the first expiry that finds the block unchanged:
    /// at most one timeout after the stop. This reads for half a timeout more (the timer wheel's rounding,
    /// the last read) plus 20 ms; the first dispatch may just report the break that ended the loop.
    private func drain(pollEntry: inout pollfd) {
        let until = Self.monotonicSeconds() + 1.5 * Double(configuration.timeoutMilliseconds) / 1000 + 0.02
        while Self.monotonicSeconds() < until {
            _ = poll(&pollEntry, 1, 20)
            let result = pcap_dispatch(handle.pointer, -1, Self.handlePacket, Unmanaged.passUnretained(writer).toOpaque().assumingMemoryBound(to: UInt8.self))
            if result == PCAP_ERROR || limitOutcome() != nil { break }
        }
    }

    private func limitOutcome() -> CaptureEnd? {
        if let error = writer.writeError { return .writeFailed(error) }
        if writer.reachedFileLimit { return .fileCountReached }
        if writer.reachedByteLimit { return .byteLimitReached }
        if writer.reachedTimeLimit { return .timeLimitReached }
        return nil
    }

    /// The per-packet callback: a C function pointer, so it captures nothing and finds the writer through `user`.
    private static let handlePacket: pcap_handler = { user, header, bytes in
        guard let user, let header, let bytes else { return }
        let record = header.pointee
        // The session keeps the writer alive across every dispatch: borrow it without retain and release.
        _ = Unmanaged<CaptureFileWriter>.fromOpaque(UnsafeRawPointer(user))._withUnsafeGuaranteedRef { writer in
            writer.append(
                seconds: record.ts.tv_sec, microseconds: record.ts.tv_usec,
                capturedLength: record.caplen, originalLength: record.len, bytes: bytes)
        }
    }

    static func monotonicSeconds() -> Double { MonotonicClock.seconds() }

    static func wallClockMicroseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }
}
