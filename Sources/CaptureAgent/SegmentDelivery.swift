import CSystemShim
import CaptureEngine
import ControlPlane
import Glibc
import Synchronization
import SystemCalls

/// Delivers a continuous capture's closed files, and rotates the oldest out, on a thread of its own.
/// Delivering is file-system work (a link into each destination, a new inode, the pages a rotated-out file
/// frees) that on a disk can wait for I/O; done on the capture thread at its tick, it let the kernel ring
/// overflow (1500-byte bursts into a ring of 1 MiB files on ext4 lost 5–46 %, docs/benchmarks.md). The
/// capture thread hands closed files over and reads back what was delivered; it never waits for a disk.
final class SegmentDelivery: Sendable {
    private struct Shared {
        var queued: [ClosedFile] = []
        /// The writer's newest file (open while the session runs): a ring keeps it and the `keep - 1` before it.
        var newestFileNumber = 1
        var closing = false
        /// Owned by the delivery thread between batches (its segments and what rotated out); the capture
        /// thread only copies it out.
        var delivered = InstanceStatus(state: .running)
        var outcome = CaptureDelivery.Outcome()

        init() { delivered.segments = [] }
    }

    private let shared = Mutex(Shared())
    private let wakeup: EventDescriptor
    private let finished: EventDescriptor
    private let instance: CaptureInstance
    private let environment: PcapCtlEnvironment
    /// Files a ring keeps (nil: keep them all, as `continuousCapture: false` does).
    private let keep: Int?
    /// A file no destination could take stops the capture (its copy stays in the state directory).
    private let stop: CaptureStopHandle
    /// Where a ring's oldest file goes, when it rotates out, for the writer to overwrite.
    private let spares: SpareFiles

    init(instance: CaptureInstance, environment: PcapCtlEnvironment, keep: Int?, spares: SpareFiles, stop: CaptureStopHandle) throws(Errno) {
        self.instance = instance
        self.environment = environment
        self.keep = keep
        self.spares = spares
        self.stop = stop
        wakeup = try EventDescriptor()
        finished = try EventDescriptor()
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(&thread, nil, { context in
            Unmanaged<SegmentDelivery>.fromOpaque(context!).takeRetainedValue().deliverUntilClosed()
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<SegmentDelivery>.fromOpaque(context).release()
            throw Errno(started, call: nil)
        }
        pthread_detach(thread)
    }

    /// Queues files the writer has closed, oldest first; `newestFileNumber` is the writer's `fileNumber`.
    func submit(_ files: [ClosedFile], newestFileNumber: Int) {
        shared.withLock {
            $0.queued += files
            $0.newestFileNumber = newestFileNumber
        }
        wakeup.signal()
    }

    /// Copies what has been delivered so far into `status`: its segments, what rotated out and the files list.
    func publish(into status: inout InstanceStatus) {
        let delivered = shared.withLock { $0.delivered }
        status.segments = delivered.segments
        status.rotatedOut = delivered.rotatedOut
        CaptureDelivery.listSegmentFiles(into: &status)
    }

    /// Delivers the last files (the session has ended: each destination's directory is synced after them),
    /// waits until the thread is done, and returns every error and message of the session's deliveries.
    func finish(_ files: [ClosedFile], newestFileNumber: Int, into status: inout InstanceStatus) -> CaptureDelivery.Outcome {
        shared.withLock {
            $0.queued += files
            $0.newestFileNumber = newestFileNumber
            $0.closing = true
        }
        wakeup.signal()
        finished.wait()
        publish(into: &status)
        return shared.withLock { $0.outcome }
    }

    private func deliverUntilClosed() {
        let directories = ConfinedFiles.OpenDirectories()
        while true {
            wakeup.wait()
            let (files, newestFileNumber, closing, before) = shared.withLock { shared in
                defer { shared.queued.removeAll() }
                return (shared.queued, shared.newestFileNumber, shared.closing, shared.delivered)
            }
            var delivered = before
            let outcomes = files.map { file in
                CaptureDelivery.deliverSegment(
                    file.path, known: file.summary, instance: instance, environment: environment, durable: closing && file == files.last,
                    directories: directories, into: &delivered)
            }
            if let keep {
                let firstKept = newestFileNumber - keep + 1
                if !closing {
                    for segment in delivered.segments ?? [] where segment.number < firstKept {
                        if spares.reuse(segment) { break }
                    }
                }
                CaptureDelivery.rotateOut(before: firstKept, status: &delivered)
            }
            let failed = shared.withLock { shared in
                shared.delivered = delivered
                outcomes.forEach { shared.outcome.absorb($0) }
                return !shared.outcome.errors.isEmpty
            }
            if failed { stop.requestStop() }
            if closing { break }
        }
        spares.removeAll()
        finished.signal()
    }
}

/// A ring's rotated-out file, kept for the writer to overwrite (`FileRotation.takeSpare`). Overwriting
/// reuses the file's pages; deleting it and creating the next one frees and allocates them again, which
/// made a ring of 1 MiB files cost 12–37 % more CPU than one file (docs/benchmarks.md). At most one waits.
///
/// Only a file that is the capture's alone is reused: every name it has is one of the capture's delivered
/// copies, unchanged since delivery, and once those are removed no one else has it open (a write lease
/// is taken to check). A reader holding a copy, or a hard link an operator made, keeps a file that never
/// changes under it, as if it had been deleted. Anything else, or a destination on another file system
/// than the state directory, and the file is deleted as before.
final class SpareFiles: Sendable {
    private let waiting = Mutex<String?>(nil)
    private let directory: String

    init(directory: String) { self.directory = directory }

    /// The waiting spare, now the caller's; nil if none.
    func take() -> String? { waiting.withLock { spare in defer { spare = nil }; return spare } }

    /// Takes `segment`'s file for reuse, if it is the capture's alone, and removes its delivered names,
    /// which `CaptureDelivery.rotateOut` then finds gone and only counts. Does nothing while one waits.
    /// Whether it took the file (or one was waiting already).
    @discardableResult
    func reuse(_ segment: CaptureSegment) -> Bool {
        guard waiting.withLock({ $0 == nil }) else { return true }
        guard segment.kept == nil else { return false }
        let copies = CaptureDelivery.ownCopies(of: segment)
        guard let first = copies.first, copies.count == segment.delivered.count else { return false }
        let fd = open(first.path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, UInt64(info.st_ino) == first.inode, UInt64(info.st_dev) == first.device,
            Int(info.st_nlink) == copies.count
        else { return false }
        let spare = "\(directory)/\(SegmentNames.spareFileName(number: segment.number))"
        let linked = pcapctl_link_descriptor(fd, spare) == 0
        // The copies were identified as the capture's above; rotating out removes them either way.
        for copy in copies { _ = unlink(copy.path) }
        guard linked else { return false }
        guard pcapctl_set_valid_length(fd, 0) == 0, fstat(fd, &info) == 0, info.st_nlink == 1, pcapctl_is_only_opener(fd) == 1 else {
            _ = unlink(spare)
            return false
        }
        waiting.withLock { $0 = spare }
        return true
    }

    /// Deletes the spare no file took (the session has ended).
    func removeAll() {
        if let spare = take() { _ = unlink(spare) }
    }
}
