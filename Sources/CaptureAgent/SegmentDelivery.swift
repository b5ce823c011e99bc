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

    init(instance: CaptureInstance, environment: PcapCtlEnvironment, keep: Int?, stop: CaptureStopHandle) throws(Errno) {
        self.instance = instance
        self.environment = environment
        self.keep = keep
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
                    into: &delivered)
            }
            if let keep { CaptureDelivery.rotateOut(before: newestFileNumber - keep + 1, status: &delivered) }
            let failed = shared.withLock { shared in
                shared.delivered = delivered
                outcomes.forEach { shared.outcome.absorb($0) }
                return !shared.outcome.errors.isEmpty
            }
            if failed { stop.requestStop() }
            if closing { break }
        }
        finished.signal()
    }
}
