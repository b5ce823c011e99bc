import CSystemShim
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
///
/// With a `FileRotation` (continuous capture) the byte limit is each file's: the packet that would cross
/// it flushes the buffer, closes the file and starts the next one, on the same slow path a full buffer
/// already takes, so the per-packet path is unchanged. Closed files wait in `takeClosedFiles()`.
///
/// A ring may hand the writer a rotated-out file to overwrite (`FileRotation.takeSpare`) instead of a new
/// one: its pages are reused rather than freed and allocated again. Until such a file is closed, bytes of
/// its old contents lie past the records written, so its valid length is recorded in an extended attribute
/// at every `checkpoint()` (once a second) and the tail is cut when it closes; a reader of a killed
/// agent's file cuts it to that length (`CaptureDelivery`), losing at most the last second.
public final class CaptureFileWriter {
    /// Everything the per-packet path changes. It lives behind a pointer rather than in stored properties
    /// because a class's stored properties pay a dynamic exclusivity check on every access, which cost a
    /// fifth of the agent's CPU with 64-byte packets (docs/benchmarks.md).
    private struct State {
        var used = 0
        var packetsOffered: UInt64 = 0
        /// Bytes and records of the open file (the ones before it are in `closedBytes`, `closedPackets`).
        var bytesWritten: UInt64 = 0
        var packetsWritten: UInt64 = 0
        var bytesFlushed: UInt64 = 0
        var packetsFlushed: UInt64 = 0
        var reachedByteLimit = false
        var reachedTimeLimit = false
        var reachedFileLimit = false
        var writeError: Int32?
        var fileNumber = 1
        /// The open file is a reused one, with old bytes past `bytesFlushed` until it is closed.
        var overwriting = false
        /// Where the open file's last record begins, so a closed file's last stamp is one read away.
        var lastRecordStart: UInt64 = 0
        var closedBytes: UInt64 = 0
        var closedPackets: UInt64 = 0
    }

    private var descriptor: Int32
    private var path: String
    private let header: [UInt8]
    private let buffer: UnsafeMutableRawBufferPointer
    /// A record that would take the buffer past this many bytes flushes it first.
    private let flushThreshold: Int
    private let state: UnsafeMutablePointer<State>
    /// Stop writing (or, rotating, start the next file) before a record would make the file larger than
    /// this; 0 is no limit.
    private let byteLimit: UInt64
    private let rotation: FileRotation?
    private var closedFiles: [ClosedFile] = []
    /// Packets stamped at or after this wall-clock time (µs since the epoch) are past the time limit.
    let deadlineMicroseconds: Int64

    /// Records handed to `append`, accepted or not: every packet libpcap delivered.
    public var packetsOffered: UInt64 { state.pointee.packetsOffered }
    /// Bytes in the files once the buffer is flushed: headers and every accepted record.
    public var bytesWritten: UInt64 { state.pointee.closedBytes + state.pointee.bytesWritten }
    /// Records accepted.
    public var packetsWritten: UInt64 { state.pointee.closedPackets + state.pointee.packetsWritten }
    /// Bytes and records that have reached the files (the kernel's page cache).
    public var bytesFlushed: UInt64 { state.pointee.closedBytes + state.pointee.bytesFlushed }
    public var packetsFlushed: UInt64 { state.pointee.closedPackets + state.pointee.packetsFlushed }
    /// Set when a record was refused because it would cross the byte limit of a file that does not rotate
    /// (or of the last file a rotation may write, with `reachedFileLimit`).
    public var reachedByteLimit: Bool { state.pointee.reachedByteLimit }
    /// Set when a record was refused because it would start a file past `FileRotation.maximumFiles`.
    public var reachedFileLimit: Bool { state.pointee.reachedFileLimit }
    /// The open file's number: 1, then 2, ... as files rotate.
    public var fileNumber: Int { state.pointee.fileNumber }
    /// Set when a record was refused because it was stamped after the time limit.
    public var reachedTimeLimit: Bool { state.pointee.reachedTimeLimit }
    /// The first write error; once set, nothing more is written.
    public var writeError: Int32? { state.pointee.writeError }

    /// Creates `path` (mode 0600, never an existing file) and writes the file header.
    public convenience init(path: String, linkType: Int32, snapshotLength: Int32, byteLimit: UInt64, deadlineMicroseconds: Int64 = .max, flushThreshold: Int = 64 << 10) throws(CaptureError) {
        try self.init(path: path, linkType: linkType, snapshotLength: snapshotLength, byteLimit: byteLimit, rotation: nil, deadlineMicroseconds: deadlineMicroseconds, flushThreshold: flushThreshold)
    }

    /// Creates the first file of a rotation, `rotation.path(1, startSeconds)`.
    public convenience init(rotation: FileRotation, startSeconds: Int, linkType: Int32, snapshotLength: Int32, deadlineMicroseconds: Int64 = .max, flushThreshold: Int = 64 << 10) throws(CaptureError) {
        try self.init(
            path: rotation.path(1, startSeconds), linkType: linkType, snapshotLength: snapshotLength, byteLimit: rotation.fileSizeLimit,
            rotation: rotation, deadlineMicroseconds: deadlineMicroseconds, flushThreshold: flushThreshold)
    }

    private init(path: String, linkType: Int32, snapshotLength: Int32, byteLimit: UInt64, rotation: FileRotation?, deadlineMicroseconds: Int64, flushThreshold: Int) throws(CaptureError) {
        descriptor = try Self.create(path)
        self.path = path
        self.byteLimit = byteLimit
        self.rotation = rotation
        self.deadlineMicroseconds = deadlineMicroseconds
        self.flushThreshold = flushThreshold
        // Large enough for the biggest record libpcap can deliver, which may exceed the threshold alone.
        let capacity = max(flushThreshold, PcapFileFormat.recordHeaderSize + Int(CaptureConfiguration.maximumSnapshotLength))
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        header = PcapFileFormat.fileHeader(linkType: UInt32(bitPattern: linkType), snapshotLength: UInt32(bitPattern: snapshotLength))
        header.withUnsafeBytes { storage.copyMemory(from: $0) }
        buffer = storage
        state = UnsafeMutablePointer<State>.allocate(capacity: 1)
        state.initialize(to: State(used: header.count, bytesWritten: UInt64(header.count)))
        flush()
    }

    /// Opened for reading too: a rotating writer reads back the stamps of a file it closes.
    private static func create(_ path: String) throws(CaptureError) -> Int32 {
        switch SystemCall.perform(.open, { open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }) {
        case .success(let opened):
            fchmod(opened, 0o600)
            return opened
        case .failure(let error): throw CaptureError(.failed, "cannot create \(path): \(error)")
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
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
        var captured = capturedLength
        var recordSize = PcapFileFormat.recordHeaderSize + Int(capturedLength)
        if byteLimit > 0 && state.pointee.bytesWritten + UInt64(recordSize) > byteLimit {
            guard rotation != nil else {
                state.pointee.reachedByteLimit = true
                return false
            }
            guard let fitting = beginNextFile(firstRecordSeconds: seconds, capturedLength: capturedLength) else { return false }
            captured = fitting
            recordSize = PcapFileFormat.recordHeaderSize + Int(captured)
        }
        if state.pointee.used + recordSize > flushThreshold && state.pointee.used > 0 {
            flush()
            if state.pointee.writeError != nil { return false }
        }
        let base = buffer.baseAddress! + state.pointee.used
        base.storeBytes(of: UInt32(truncatingIfNeeded: seconds), toByteOffset: 0, as: UInt32.self)
        base.storeBytes(of: UInt32(truncatingIfNeeded: microseconds), toByteOffset: 4, as: UInt32.self)
        base.storeBytes(of: captured, toByteOffset: 8, as: UInt32.self)
        base.storeBytes(of: originalLength, toByteOffset: 12, as: UInt32.self)
        (base + PcapFileFormat.recordHeaderSize).copyMemory(from: bytes, byteCount: Int(captured))
        state.pointee.used += recordSize
        state.pointee.lastRecordStart = state.pointee.bytesWritten
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

    /// Flushes, and for a reused file records how much of it is valid: the once-a-second tick's flush.
    public func checkpoint() {
        flush()
        if state.pointee.overwriting { _ = pcapctl_set_valid_length(descriptor, Int64(state.pointee.bytesFlushed)) }
    }

    /// Cuts a reused file's old bytes off, after recording its length so that a kill in between loses nothing.
    private func cutReusedTail() {
        guard state.pointee.overwriting else { return }
        let length = state.pointee.bytesFlushed
        _ = pcapctl_set_valid_length(descriptor, Int64(length))
        if case .failure(let error) = SystemCall.perform(.ftruncate, { ftruncate(descriptor, off_t(length)) }) {
            if state.pointee.writeError == nil { state.pointee.writeError = error.rawValue }
            return
        }
        _ = pcapctl_set_valid_length(descriptor, -1)
        state.pointee.overwriting = false
    }

    /// Flushes and makes the file durable (fsync) before it is delivered. A rotating writer then closes its
    /// last file, which joins the closed ones (after a failed write too: it holds the whole records kept).
    public func finish() {
        flush()
        cutReusedTail()
        if state.pointee.writeError == nil, case .failure(let error) = SystemCall.perform(.fsync, { fsync(descriptor) }) {
            state.pointee.writeError = error.rawValue
        }
        if rotation != nil { closeFile() }
    }

    /// Whether files have closed since the last `takeClosedFiles()`.
    public var hasClosedFiles: Bool { !closedFiles.isEmpty }

    /// The files closed since the last call, oldest first: complete, never written again.
    public func takeClosedFiles() -> [ClosedFile] {
        defer { closedFiles.removeAll(keepingCapacity: true) }
        return closedFiles
    }

    /// The rotation's slow path, taken by the record that would cross the file's size: flushes and closes
    /// the file, opens the next one (named by the record's stamp) with its header in the buffer, and returns
    /// the length of the record that fits there: all of it, or (a packet larger than a whole file) the
    /// bytes that fit, as a snapshot length would cut it. Nil when no file may follow.
    @inline(never)
    private func beginNextFile(firstRecordSeconds: Int, capturedLength: UInt32) -> UInt32? {
        guard let rotation else { return nil }
        if rotation.maximumFiles > 0 && state.pointee.fileNumber >= rotation.maximumFiles {
            // The byte limit's flag too, which the per-packet path already tests: a smaller record that
            // would still fit must not be written after this one, or the files would have a gap.
            state.pointee.reachedFileLimit = true
            state.pointee.reachedByteLimit = true
            return nil
        }
        let room = Int(byteLimit) - PcapFileFormat.fileHeaderSize - PcapFileFormat.recordHeaderSize
        guard room >= 0 else {
            state.pointee.reachedByteLimit = true
            return nil
        }
        flush()
        guard state.pointee.writeError == nil else { return nil }
        closeFile()
        let next = state.pointee.fileNumber + 1
        let nextPath = rotation.path(next, firstRecordSeconds)
        if let reused = Self.adopt(spare: rotation.takeSpare(), as: nextPath) {
            descriptor = reused
            state.pointee.overwriting = true
        } else {
            switch SystemCall.perform(.open, { open(nextPath, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }) {
            case .success(let fd):
                fchmod(fd, 0o600)
                descriptor = fd
            case .failure(let error):
                state.pointee.writeError = error.rawValue
                return nil
            }
        }
        path = nextPath
        state.pointee.fileNumber = next
        header.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        state.pointee.used = header.count
        state.pointee.bytesWritten = UInt64(header.count)
        return min(capturedLength, UInt32(room))
    }

    /// Names a spare file `path` (a link, so an existing name is never replaced) and opens it for
    /// overwriting from its start; nil, with the spare removed, if that fails.
    private static func adopt(spare: String?, as path: String) -> Int32? {
        guard let spare else { return nil }
        defer { _ = unlink(spare) }
        guard link(spare, path) == 0 else { return nil }
        guard case .success(let fd) = SystemCall.perform(.open, { open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC) }) else {
            _ = unlink(path)
            return nil
        }
        return fd
    }

    /// The stamp of the record at `offset` of the open file.
    private func stamp(at offset: UInt64) -> PacketTime? {
        var words: (UInt32, UInt32) = (0, 0)
        let read = withUnsafeMutableBytes(of: &words) { bytes in pread(descriptor, bytes.baseAddress, 8, off_t(offset)) }
        return read == 8 ? PacketTime(seconds: words.0, microseconds: words.1) : nil
    }

    /// Closes the open file and records it as closed, its bytes moving to the closed totals.
    private func closeFile() {
        guard descriptor >= 0 else { return }
        cutReusedTail()
        let packets = state.pointee.packetsFlushed
        // The stamps of its first and last records, read back rather than kept per packet.
        let first = packets > 0 ? stamp(at: UInt64(PcapFileFormat.fileHeaderSize)) : nil
        let last = packets > 0 ? stamp(at: state.pointee.lastRecordStart < state.pointee.bytesFlushed ? state.pointee.lastRecordStart : UInt64(PcapFileFormat.fileHeaderSize)) : nil
        close(descriptor)
        descriptor = -1
        closedFiles.append(ClosedFile(path: path, number: state.pointee.fileNumber, bytes: state.pointee.bytesFlushed, packets: packets, firstPacketTime: first, lastPacketTime: last))
        state.pointee.closedBytes += state.pointee.bytesFlushed
        state.pointee.closedPackets += state.pointee.packetsFlushed
        state.pointee.bytesWritten = 0
        state.pointee.packetsWritten = 0
        state.pointee.bytesFlushed = 0
        state.pointee.packetsFlushed = 0
        state.pointee.used = 0
    }
}

/// How a continuous capture splits its output into files.
public struct FileRotation {
    /// The largest a file may be, headers included.
    public var fileSizeLimit: UInt64
    /// Files after which the session stops (0: no limit): the packet that would begin one more is refused.
    public var maximumFiles: Int
    /// Where file `number` (1, 2, ...) goes; `startSeconds` is when it began (UTC), the stamp of its first
    /// packet, or the session's start for the first file.
    public var path: (_ number: Int, _ startSeconds: Int) -> String
    /// A file the writer may overwrite instead of creating the next one (a ring's rotated-out file, its
    /// own and opened by no one), or nil. The writer links it under the next file's name, removes the
    /// spare's name and owns it from then on.
    public var takeSpare: () -> String?

    public init(fileSizeLimit: UInt64, maximumFiles: Int, path: @escaping (_ number: Int, _ startSeconds: Int) -> String, takeSpare: @escaping () -> String? = { nil }) {
        self.fileSizeLimit = fileSizeLimit
        self.maximumFiles = maximumFiles
        self.path = path
        self.takeSpare = takeSpare
    }
}

/// A file a rotating writer has closed: complete, and never written again.
public struct ClosedFile: Sendable, Equatable {
    public var path: String
    public var number: Int
    public var bytes: UInt64
    public var packets: UInt64
    /// Stamps of its first and last records; nil when it has none.
    public var firstPacketTime: PacketTime?
    public var lastPacketTime: PacketTime?

    /// What a walk over the file would find, so whoever delivers it need not read it.
    public var summary: PcapFileSummary {
        PcapFileSummary(
            packetCount: Int(packets), validLength: Int(bytes), tornBytes: 0, snapshotLength: 0, linkType: 0,
            firstPacketTime: firstPacketTime, lastPacketTime: lastPacketTime)
    }
}
