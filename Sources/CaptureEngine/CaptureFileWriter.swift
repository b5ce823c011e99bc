import Glibc
import PcapFormat
import SystemCalls

/// Writes a classic pcap file with its own buffer, so that the byte limit is exact and the per-packet
/// path is a bounds check and two copies into preallocated memory: no allocation, no system call.
/// The buffer goes to the kernel in writes of at most `flushThreshold` bytes: small enough to stay in
/// the CPU cache between the copy in and the kernel's copy out, and to keep ext4's buffered-write
/// path cheap (1 MiB writes cost up to 7× more system time per byte there; docs/benchmarks.md).
///
/// The buffer only ever holds whole records and is written out by `flush()`. If a write fails (a full
/// disk), the file is cut back to the last whole flushed record, so it always stays readable.
public final class CaptureFileWriter {
    /// Everything the per-packet path changes. It lives behind a pointer rather than in stored properties
    /// because a class's stored properties pay a dynamic exclusivity check on every access, which cost a
    /// fifth of the agent's CPU with 64-byte packets (docs/benchmarks.md).
    private struct State {
        var used = 0
        var packetsOffered: UInt64 = 0
        var bytesWritten: UInt64 = 0
        var packetsWritten: UInt64 = 0
        var bytesFlushed: UInt64 = 0
        var packetsFlushed: UInt64 = 0
        var reachedByteLimit = false
        var reachedTimeLimit = false
        var writeError: Int32?
    }

    private let descriptor: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    /// A record that would take the buffer past this many bytes flushes it first.
    private let flushThreshold: Int
    private let state: UnsafeMutablePointer<State>
    /// Stop writing before a record would make the file larger than this; 0 is no limit.
    private let byteLimit: UInt64
    /// Packets stamped at or after this wall-clock time (µs since the epoch) are past the time limit.
    let deadlineMicroseconds: Int64

    /// Records handed to `append`, accepted or not: every packet libpcap delivered.
    public var packetsOffered: UInt64 { state.pointee.packetsOffered }
    /// Bytes in the file once the buffer is flushed: header and every accepted record.
    public var bytesWritten: UInt64 { state.pointee.bytesWritten }
    /// Records accepted.
    public var packetsWritten: UInt64 { state.pointee.packetsWritten }
    /// Bytes and records that have reached the file (the kernel's page cache).
    public var bytesFlushed: UInt64 { state.pointee.bytesFlushed }
    public var packetsFlushed: UInt64 { state.pointee.packetsFlushed }
    /// Set when a record was refused because it would cross the byte limit.
    public var reachedByteLimit: Bool { state.pointee.reachedByteLimit }
    /// Set when a record was refused because it was stamped after the time limit.
    public var reachedTimeLimit: Bool { state.pointee.reachedTimeLimit }
    /// The first write error; once set, nothing more is written.
    public var writeError: Int32? { state.pointee.writeError }

    /// Creates `path` (mode 0600, never an existing file) and writes the file header.
    public init(path: String, linkType: Int32, snapshotLength: Int32, byteLimit: UInt64, deadlineMicroseconds: Int64 = .max, flushThreshold: Int = 64 << 10) throws(CaptureError) {
        let fd: Int32
        switch SystemCall.perform(.open, { open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }) {
        case .success(let opened): fd = opened
        case .failure(let error): throw CaptureError(.failed, "cannot create \(path): \(error)")
        }
        fchmod(fd, 0o600)
        descriptor = fd
        self.byteLimit = byteLimit
        self.deadlineMicroseconds = deadlineMicroseconds
        self.flushThreshold = flushThreshold
        // Large enough for the biggest record libpcap can deliver, which may exceed the threshold alone.
        let capacity = max(flushThreshold, PcapFileFormat.recordHeaderSize + Int(CaptureConfiguration.maximumSnapshotLength))
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        let header = PcapFileFormat.fileHeader(linkType: UInt32(bitPattern: linkType), snapshotLength: UInt32(bitPattern: snapshotLength))
        header.withUnsafeBytes { storage.copyMemory(from: $0) }
        buffer = storage
        state = UnsafeMutablePointer<State>.allocate(capacity: 1)
        state.initialize(to: State(used: header.count, bytesWritten: UInt64(header.count)))
        flush()
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Appends one record; false when the record is refused (limit reached or a previous write failed).
    @inline(__always)
    public func append(seconds: Int, microseconds: Int, capturedLength: UInt32, originalLength: UInt32, bytes: UnsafePointer<UInt8>) -> Bool {
        state.pointee.packetsOffered += 1
        guard state.pointee.writeError == nil, !state.pointee.reachedByteLimit, !state.pointee.reachedTimeLimit else { return false }
        if Int64(seconds) &* 1_000_000 &+ Int64(microseconds) >= deadlineMicroseconds {
            state.pointee.reachedTimeLimit = true
            return false
        }
        let recordSize = PcapFileFormat.recordHeaderSize + Int(capturedLength)
        if byteLimit > 0 && state.pointee.bytesWritten + UInt64(recordSize) > byteLimit {
            state.pointee.reachedByteLimit = true
            return false
        }
        if state.pointee.used + recordSize > flushThreshold && state.pointee.used > 0 {
            flush()
            if state.pointee.writeError != nil { return false }
        }
        let base = buffer.baseAddress! + state.pointee.used
        base.storeBytes(of: UInt32(truncatingIfNeeded: seconds), toByteOffset: 0, as: UInt32.self)
        base.storeBytes(of: UInt32(truncatingIfNeeded: microseconds), toByteOffset: 4, as: UInt32.self)
        base.storeBytes(of: capturedLength, toByteOffset: 8, as: UInt32.self)
        base.storeBytes(of: originalLength, toByteOffset: 12, as: UInt32.self)
        (base + PcapFileFormat.recordHeaderSize).copyMemory(from: bytes, byteCount: Int(capturedLength))
        state.pointee.used += recordSize
        state.pointee.bytesWritten += UInt64(recordSize)
        state.pointee.packetsWritten += 1
        return true
    }

    /// Hands the buffered records to the kernel. After a failed write the file is cut back to its last
    /// whole record and the writer refuses further records.
    public func flush() {
        let used = state.pointee.used
        guard used > 0, state.pointee.writeError == nil else { return }
        var offset = 0
        while offset < used {
            switch SystemCall.perform(.write, { write(descriptor, buffer.baseAddress! + offset, used - offset) }) {
            case .success(let written): offset += written
            case .failure(let error):
                state.pointee.writeError = error.rawValue
                keepWholeRecords(of: offset)
                return
            }
        }
        state.pointee.used = 0
        state.pointee.bytesFlushed = state.pointee.bytesWritten
        state.pointee.packetsFlushed = state.pointee.packetsWritten
    }

    /// After a failed write that got `written` bytes of the buffer out, keeps the whole records among them
    /// and cuts the file there.
    private func keepWholeRecords(of written: Int) {
        let used = state.pointee.used
        var boundary = 0
        var records: UInt64 = 0
        // The first flush starts with the file header; later ones hold whole records only.
        let startsWithHeader = state.pointee.bytesFlushed == 0
        if !startsWithHeader || written >= PcapFileFormat.fileHeaderSize {
            boundary = startsWithHeader ? PcapFileFormat.fileHeaderSize : 0
            while boundary + PcapFileFormat.recordHeaderSize <= used {
                let captured = Int(buffer.loadUnaligned(fromByteOffset: boundary + 8, as: UInt32.self))
                let next = boundary + PcapFileFormat.recordHeaderSize + captured
                guard next <= written else { break }
                boundary = next
                records += 1
            }
        }
        state.pointee.bytesFlushed += UInt64(boundary)
        state.pointee.packetsFlushed += records
        _ = SystemCall.perform(.ftruncate) { ftruncate(descriptor, off_t(state.pointee.bytesFlushed)) }
        state.pointee.bytesWritten = state.pointee.bytesFlushed
        state.pointee.packetsWritten = state.pointee.packetsFlushed
        state.pointee.used = 0
    }

    /// Flushes and makes the file durable (fsync) before it is delivered.
    public func finish() {
        flush()
        guard state.pointee.writeError == nil else { return }
        if case .failure(let error) = SystemCall.perform(.fsync, { fsync(descriptor) }) { state.pointee.writeError = error.rawValue }
    }
}
