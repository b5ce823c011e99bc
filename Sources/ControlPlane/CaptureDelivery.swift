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
        var messages = ["the capture agent\(pid) exited without recording a stop"]
        var errors: [CaptureErrorKind] = [.agentStopped]
        if FileSystem.exists(paths.partialCapture), let summary = try? CaptureDelivery.scan(paths.partialCapture) {
            let outcome = CaptureDelivery.deliver(
                partial: paths.partialCapture, length: summary.validLength, instance: instance,
                environment: store.layout.environment)
            status.files = outcome.files
            status.deliveredFiles = outcome.delivered
            errors += outcome.errors
            messages += outcome.messages
            status.counters.packetsCaptured = UInt64(summary.packetCount)
            status.counters.bytesWritten = UInt64(summary.validLength)
            messages.append("kept \(summary.packetCount) packets flushed before it stopped" + (summary.tornBytes > 0 ? ", trimmed a torn last record of \(summary.tornBytes) bytes" : ""))
        }
        status.state = .error
        status.errors = errors
        status.stopReason = CaptureErrorKind.agentStopped.rawValue
        status.errorMessage = messages.joined(separator: "; ")
        status.captureStopTime = Timestamp.now().iso8601
        try store.writeStatus(status, to: paths)
        return status
    }
}
