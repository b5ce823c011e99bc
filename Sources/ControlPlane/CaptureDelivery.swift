import CSystemShim
import SystemCalls
import Glibc
import PcapFormat

/// Moves a finished capture from its temporary place in the state directory to its final places (the local
/// file path and/or the storage account), as Azure does when a session ends. Shared by the agent (normal
/// end) and by the recovery of a capture whose agent died.
public enum CaptureDelivery {
    public struct Outcome: Sendable {
        public var files: [String] = []
        /// Each delivered file as it was once every destination had it (see `DeliveredFile`).
        public var delivered: [DeliveredFile] = []
        public var errors: [CaptureErrorKind] = []
        public var messages: [String] = []

        public init() {}

        /// Adds another delivery's errors (each kind once) and messages.
        public mutating func absorb(_ other: Outcome) {
            errors += other.errors.filter { !errors.contains($0) }
            messages += other.messages
        }
    }

    /// Delivers the first `length` bytes of the partial file to every destination of `instance`. The
    /// partial file is cut to `length` first (dropping a torn record), so a hard link delivers exactly it.
    /// Once every destination has it, the partial file is removed; if any failed it stays, the session's
    /// only copy for that destination. The delivered files are identified last, as they then stay.
    public static func deliver(partial: String, length: Int, instance: CaptureInstance, environment: PcapCtlEnvironment) -> Outcome {
        var outcome = Outcome()
        _ = truncate(partial, off_t(length))
        if let relative = instance.localFile {
            do {
                try ConfinedFiles.copy(from: partial, length: length, toRoot: environment.capturesRoot, relativePath: relative)
                outcome.files.append("\(environment.capturesRoot)/\(relative)")
            } catch {
                outcome.errors.append(.localFileFailed)
                outcome.messages.append(error.description)
            }
        }
        if let relative = instance.storageFile {
            do {
                try ConfinedFiles.copy(from: partial, length: length, toRoot: environment.storageRoot, relativePath: relative)
                outcome.files.append("\(environment.storageRoot)/\(relative)")
            } catch {
                outcome.errors.append(.storageFailed)
                outcome.messages.append(error.description)
            }
        }
        if outcome.errors.isEmpty { _ = unlink(partial) }
        outcome.delivered = outcome.files.compactMap(identify)
        return outcome
    }

    /// Delivers one closed file of a continuous capture (in the state directory's `segments/`) to every
    /// destination of `instance` under its name there (`SegmentNames`), and records it at the end of
    /// `status.segments`. The file is cut to its whole records first (the open file of an agent that died);
    /// once every destination has it, the state copy is removed, else kept as their only copy. A file with
    /// no header (begun just before a kill) holds nothing and is removed.
    ///
    /// `known` is what the writer that closed the file knows of it (its agent passes it, so the file is not
    /// read again); without it the file is scanned. `durable` syncs each destination's directory after the
    /// link: for the last file of a session, not for every file of a ring (see `ConfinedFiles.copy`).
    public static func deliverSegment(
        _ path: String, known: PcapFileSummary? = nil, instance: CaptureInstance, environment: PcapCtlEnvironment, durable: Bool = true,
        directories: ConfinedFiles.OpenDirectories? = nil, into status: inout InstanceStatus
    ) -> Outcome {
        var outcome = Outcome()
        let fileName = FileSystem.baseName(of: path)
        guard let number = SegmentNames.number(of: fileName) else { return outcome }
        let summary: PcapFileSummary
        if let known {
            summary = known
        } else {
            do { summary = try scan(path) } catch {
                if (CaptureDelivery.identify(path)?.size ?? 0) == 0 { _ = unlink(path) }
                return outcome
            }
            _ = truncate(path, off_t(summary.validLength))
        }
        let nameSource = instance.localFile ?? instance.storageFile ?? "capture.cap"
        var segment = CaptureSegment(
            number: number, name: FileSystem.baseName(of: SegmentNames.destination(nameSource, stateFileName: fileName)),
            firstPacketTime: summary.firstPacketTime.map(Self.iso8601), lastPacketTime: summary.lastPacketTime.map(Self.iso8601),
            packets: UInt64(summary.packetCount), bytes: UInt64(summary.validLength))
        let destinations: [(base: String?, root: String, failure: CaptureErrorKind)] = [
            (instance.localFile, environment.capturesRoot, .localFileFailed), (instance.storageFile, environment.storageRoot, .storageFailed),
        ]
        var copies: [String?] = []
        for destination in destinations {
            guard let relative = destination.base.map({ SegmentNames.destination($0, stateFileName: fileName) }) else {
                copies.append(nil)
                continue
            }
            do {
                try ConfinedFiles.copy(from: path, toRoot: destination.root, relativePath: relative, durable: durable, directories: directories)
                copies.append("\(destination.root)/\(relative)")
            } catch {
                copies.append(nil)
                outcome.errors.append(destination.failure)
                outcome.messages.append(error.description)
            }
        }
        if outcome.errors.isEmpty { _ = unlink(path) } else { segment.kept = path }
        // Identified last: the copies are links to one file, and every link or unlink changes its ctime.
        segment.local = copies[0].flatMap(identify)
        segment.storage = copies[1].flatMap(identify)
        outcome.files = segment.delivered.map(\.path)
        outcome.delivered = segment.delivered
        status.segments = (status.segments ?? []) + [segment]
        return outcome
    }

    /// Deletes, in every destination and the state directory, the files of `status.segments` numbered below
    /// `firstKept`, counting them in `status.rotatedOut`. A delivered copy that was replaced or changed since
    /// is no longer the capture's and is left alone.
    public static func rotateOut(before firstKept: Int, status: inout InstanceStatus) {
        guard let segments = status.segments, segments.contains(where: { $0.number < firstKept }) else { return }
        var rotated = status.rotatedOut ?? RotatedOut()
        for segment in segments where segment.number < firstKept {
            let own = ownCopies(of: segment)
            for copy in own { _ = unlink(copy.path) }
            if let kept = segment.kept { _ = unlink(kept) }
            rotated.files += 1
            rotated.packets += segment.packets
            rotated.bytes += segment.bytes
        }
        status.segments = segments.filter { $0.number >= firstKept }
        status.rotatedOut = rotated
    }

    /// The delivered copies of `segment` that are still the capture's: unchanged since delivery (not
    /// replaced, linked elsewhere or written). All are checked before any is touched, since a link or an
    /// unlink changes every other name's ctime.
    public static func ownCopies(of segment: CaptureSegment) -> [DeliveredFile] {
        segment.delivered.filter { identify($0.path) == $0 }
    }

    /// Settles what a dead agent left in `segments/` and returns its state files, oldest first: a spare
    /// file is removed, and a reused file (the agent overwrote an old one, whose bytes lie past what it
    /// wrote) is cut to the valid length it last recorded.
    public static func settlePendingSegments(_ paths: InstancePaths) -> [String] {
        let all = (try? FileSystem.listDirectory(paths.segments)) ?? []
        for name in all where name.hasPrefix(SegmentNames.sparePrefix) { _ = unlink("\(paths.segments)/\(name)") }
        let names = all.compactMap { name in SegmentNames.number(of: name).map { ($0, name) } }
        let pending = names.sorted { $0.0 < $1.0 }.map { "\(paths.segments)/\($0.1)" }
        for path in pending {
            let valid = pcapctl_valid_length(path)
            guard valid >= 0 else { continue }
            if truncate(path, off_t(valid)) == 0 { _ = pcapctl_remove_valid_length(path) }
        }
        return pending
    }

    /// A continuous capture's files now in its destinations, and its counters from them: the `files` list
    /// and the session totals (rotated out included) follow from the segments.
    public static func summarizeSegments(into status: inout InstanceStatus) {
        let segments = status.segments ?? []
        listSegmentFiles(into: &status)
        let rotated = status.rotatedOut ?? RotatedOut()
        status.counters.packetsCaptured = rotated.packets + segments.reduce(0) { $0 + $1.packets }
        status.counters.bytesWritten = rotated.bytes + segments.reduce(0) { $0 + $1.bytes }
    }

    /// The `files` list of a continuous capture: every delivered copy of its segments, oldest first.
    public static func listSegmentFiles(into status: inout InstanceStatus) {
        status.files = (status.segments ?? []).flatMap { $0.delivered.map(\.path) }
    }

    static func iso8601(_ time: PacketTime) -> String {
        Timestamp(seconds: Int(time.seconds), milliseconds: Int(time.microseconds / 1000)).iso8601
    }

    /// What identifies a file's bytes now; nil if it cannot be read.
    public static func identify(_ path: String) -> DeliveredFile? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return DeliveredFile(
            path: path, device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: UInt64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
    }

    /// Reads a partial capture file's whole records, so a record torn by a kill or a full disk is left out.
    public static func scan(_ path: String) throws(PcapCtlError) -> PcapFileSummary {
        let file: OwnedDescriptor
        let size: Int
        do {
            file = try FileSystem.open(path, O_RDONLY)
            size = try file.size()
        } catch {
            throw .failure("cannot read \(path): \(error)")
        }
        guard size > 0 else { throw .failure("\(path) is empty: the agent stopped before writing the file header") }
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, file.rawValue, 0), mapping != MAP_FAILED else {
            throw .failure("cannot map \(path): \(Errno.current)")
        }
        defer { munmap(mapping, size) }
        do {
            return try PcapFileSummary(scanning: UnsafeRawBufferPointer(start: mapping, count: size))
        } catch {
            throw .failure("\(path): \(error)")
        }
    }
}

/// Makes a capture's recorded state true: an instance whose agent is gone but whose status still says it
/// runs is finished on the agent's behalf (its file trimmed to whole records and delivered) and marked
/// Error with AgentStopped. Every reader calls this, so no capture shows Running without a live agent.
public struct Reconciler: Sendable {
    public let store: CaptureStore

    public init(store: CaptureStore) { self.store = store }

    public func status(of capture: StoredCapture, _ instance: CaptureInstance) throws(PcapCtlError) -> InstanceStatus {
        let paths = store.instancePaths(capture, instance)
        var status = try store.readStatus(paths)
        if status.isFinal || AgentSupervisor.isAlive(paths) { return status }

        // Hold the agent's lock while recovering, so two invocations never recover the same instance.
        guard let lock = try? FileLock(path: paths.agentLock), (try? lock.lock(exclusive: true, blocking: false)) == true else {
            return status
        }
        defer { lock.unlock() }
        status = try store.readStatus(paths)
        if status.isFinal { return status }

        let pid = status.agentPid.map { " (pid \($0))" } ?? ""
        var recovered = CaptureDelivery.Outcome()
        recovered.errors = [.agentStopped]
        recovered.messages = ["the capture agent\(pid) exited without recording a stop"]
        if let settings = capture.record.captureSettings {
            // Closed files the agent had not delivered yet, then its open file, cut to whole records.
            let pending = CaptureDelivery.settlePendingSegments(paths)
            let known = status.segments?.count ?? 0
            var torn = 0
            for path in pending {
                torn += (try? CaptureDelivery.scan(path)).map(\.tornBytes) ?? 0
                recovered.absorb(CaptureDelivery.deliverSegment(path, instance: instance, environment: store.layout.environment, into: &status))
            }
            let packets = (status.segments ?? []).dropFirst(known).reduce(0) { $0 + $1.packets }
            if capture.record.continuousCapture == true, settings.fileCount > 0, let last = status.segments?.last?.number {
                CaptureDelivery.rotateOut(before: last - Int(settings.fileCount) + 1, status: &status)
            }
            CaptureDelivery.summarizeSegments(into: &status)
            recovered.messages.append("delivered \(pending.count) file\(pending.count == 1 ? "" : "s") it left (\(packets) packets)" + (torn > 0 ? ", trimmed a torn last record of \(torn) bytes" : ""))
        } else if FileSystem.exists(paths.partialCapture), let summary = try? CaptureDelivery.scan(paths.partialCapture) {
            let outcome = CaptureDelivery.deliver(
                partial: paths.partialCapture, length: summary.validLength, instance: instance,
                environment: store.layout.environment)
            status.files = outcome.files
            status.deliveredFiles = outcome.delivered
            recovered.absorb(outcome)
            status.counters.packetsCaptured = UInt64(summary.packetCount)
            status.counters.bytesWritten = UInt64(summary.validLength)
            recovered.messages.append("kept \(summary.packetCount) packets flushed before it stopped" + (summary.tornBytes > 0 ? ", trimmed a torn last record of \(summary.tornBytes) bytes" : ""))
        }
        status.state = .error
        status.errors = recovered.errors
        status.stopReason = CaptureErrorKind.agentStopped.rawValue
        status.errorMessage = recovered.messages.joined(separator: "; ")
        status.captureStopTime = Timestamp.now().iso8601
        try store.writeStatus(status, to: paths)
        store.events.record(.recovered(capture: capture.name, instance: instance.key))
        store.events.record(.filesDelivered(capture: capture.name, instance: instance.key, files: status.files))
        return status
    }
}
