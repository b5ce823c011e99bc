import CSystemShim
import CaptureEngine
import ControlPlane
import Glibc
import PcapFormat
import Synchronization
import SystemCalls

/// Turns SIGTERM, SIGINT and SIGHUP into a stop request. The agent is spawned with these signals
/// blocked (see `AgentSupervisor.spawn`), so a signal sent before the capture opens waits, pending, until
/// this thread takes it with sigwait; none is ever lost, and none can kill the agent mid-write.
final class StopSignals: Sendable {
    private let requested = Atomic<Bool>(false)
    private let session = Mutex<CaptureStopHandle?>(nil)

    init() {
        var blocked = AgentSupervisor.stopSignals
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(&thread, nil, { context in
            let signals = Unmanaged<StopSignals>.fromOpaque(context!).takeRetainedValue()
            var set = AgentSupervisor.stopSignals
            var received: Int32 = 0
            while sigwait(&set, &received) == 0 {
                signals.fire()
            }
            return nil
        }, context)
        // Without the thread no signal is ever taken: the agent can then only be killed, and is recovered as AgentStopped.
        if started == 0 { pthread_detach(thread) } else { Unmanaged<StopSignals>.fromOpaque(context).release() }
    }

    func attach(_ capture: CaptureStopHandle) {
        session.withLock { $0 = capture }
        if requested.load(ordering: .acquiring) { capture.requestStop() }
    }

    private func fire() {
        requested.store(true, ordering: .releasing)
        session.withLock { $0?.requestStop() }
    }
}

/// A file that holds disk space for the agent's last words: released before the final status is written,
/// so a full state directory still gets a true status.
final class SpaceReserve {
    private let path: String
    private var held: Bool

    init(path: String, bytes: Int) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        held = fd >= 0 && posix_fallocate(fd, 0, off_t(bytes)) == 0
        if fd >= 0 { close(fd) }
    }

    func release() {
        unlink(path)
        held = false
    }

    deinit { if held { unlink(path) } }
}

/// The agent process: runs one instance's capture, records its progress in status.json, delivers the file
/// when the session ends, and exits. A launcher spawns it in a new session with the instance's agent lock
/// on descriptor 3 and its stop signals blocked.
struct CaptureAgent {
    let store: CaptureStore
    let assignment: AgentAssignment
    var location: String { assignment.location }
    var name: String { assignment.name }
    var key: String { assignment.instanceKey }

    func run() throws(PcapCtlError) -> Int32 {
        let capture = try store.load(name: name, location: location)
        guard let instance = capture.settings.instances.first(where: { $0.key == key }) else {
            throw .notFound("capture '\(name)' has no instance '\(key)'")
        }
        let paths = store.instancePaths(capture, instance)
        // Only the agent its create spawned may run: one started by hand, or twice, would overwrite a
        // capture's record. The token is the spawner's, written while the instance is NotStarted.
        let starting = try store.readStatus(paths)
        guard starting.state == .notStarted, let token = starting.launchToken, token == assignment.launchToken else {
            throw .usage(nil, "refusing to run: capture '\(name)' instance '\(key)' in location '\(location)' is not waiting for this agent (its status is \(starting.state.rawValue)); agents are started only by create")
        }
        let signals = StopSignals()
        // Room kept for the final status: if the state directory fills up, this is freed first.
        let reserve = SpaceReserve(path: paths.directory + "/space-reserve", bytes: 64 << 10)
        var status = InstanceStatus(state: .notStarted)
        status.agentPid = getpid()

        func finish(_ state: CaptureState, reason: String, errors: [CaptureErrorKind] = [], message: String? = nil) throws(PcapCtlError) -> Int32 {
            reserve.release()
            status.state = state
            status.stopReason = reason
            status.errors = errors
            status.errorMessage = message
            status.captureStopTime = Timestamp.now().iso8601
            try store.writeStatus(status, to: paths)
            log("\(state.rawValue): \(reason)\(message.map { " (\($0))" } ?? "")")
            return state == .error ? ExitCode.failure : ExitCode.success
        }

        if let namespace = instance.machine.namespacePath {
            let fd = open(namespace, O_RDONLY | O_CLOEXEC)
            if fd < 0 || pcapctl_setns_net(fd) != 0 {
                let error = Errno.current
                if fd >= 0 { close(fd) }
                return try finish(.error, reason: CaptureErrorKind.captureFailed.rawValue, errors: [.captureFailed], message: "cannot enter \(instance.machine): \(error)")
            }
            close(fd)
        }

        let resource = capture.record
        let spares = SpareFiles(directory: paths.segments)
        let configuration = CaptureConfiguration(
            interface: capture.settings.interface, snapshotLength: resource.bytesToCapturePerPacket,
            bufferSize: capture.settings.bufferSize, filter: capture.settings.bpfExpression)
        let session: CaptureSession
        do throws(CaptureError) {
            if let settings = resource.captureSettings {
                do { try FileSystem.makeDirectories(paths.segments) } catch {
                    throw CaptureError(.failed, "cannot create \(paths.segments): \(error)")
                }
                let directory = paths.segments
                // `false` stops when its files are full; `true` rotates the oldest out instead (`ring` below),
                // and the writer overwrites a file that rotated out rather than creating one.
                let rotation = FileRotation(
                    fileSizeLimit: settings.fileSizeInBytes,
                    maximumFiles: resource.continuousCapture == false ? Int(settings.fileCount) : 0,
                    path: { number, start in "\(directory)/\(SegmentNames.stateFileName(number: number, startSeconds: start))" },
                    takeSpare: { spares.take() })
                session = try CaptureSession(configuration: configuration, rotation: rotation, timeLimitSeconds: settings.sessionTimeLimitInSeconds)
            } else {
                session = try CaptureSession(
                    configuration: configuration, outputPath: paths.partialCapture,
                    byteLimit: resource.totalBytesPerSession, timeLimitSeconds: resource.timeLimitInSeconds)
            }
        } catch {
            return try finish(.error, reason: CaptureErrorKind.captureFailed.rawValue, errors: [.captureFailed], message: error.message)
        }
        signals.attach(session.stopHandle)

        status.state = .running
        status.captureStartTime = Timestamp.now().iso8601
        status.counters.bytesWritten = session.writer.bytesWritten
        if resource.captureSettings != nil { status.segments = [] }
        try store.writeStatus(status, to: paths)
        log("Running: \(configuration.interface ?? "any") in \(instance.machine), filter \(configuration.filter ?? "none")")

        // A continuous capture delivers each file as it closes (on a thread of its own), and a ring of `keep`
        // files deletes the oldest once a newer one begins. A file no destination could take stops the capture.
        let keep = resource.continuousCapture == true ? resource.captureSettings.map { Int($0.fileCount) }.flatMap { $0 > 0 ? $0 : nil } : nil
        let segments: SegmentDelivery?
        if resource.captureSettings != nil {
            do {
                segments = try SegmentDelivery(instance: instance, environment: store.layout.environment, keep: keep, spares: spares, stop: session.stopHandle)
            } catch {
                return try finish(.error, reason: CaptureErrorKind.captureFailed.rawValue, errors: [.captureFailed], message: "cannot start the delivery thread: \(error)")
            }
        } else {
            segments = nil
        }

        let end = session.run(filesClosed: { files in
            segments?.submit(files, newestFileNumber: session.writer.fileNumber)
        }) { progress in
            record(progress, into: &status)
            segments?.publish(into: &status)
            try? store.writeStatus(status, to: paths, durable: false)
            return machineGone(instance.machine)
        }
        record(session.progress, into: &status)
        let delivery: CaptureDelivery.Outcome
        if let segments {
            delivery = segments.finish(session.writer.takeClosedFiles(), newestFileNumber: session.writer.fileNumber, into: &status)
        } else {
            delivery = CaptureDelivery.deliver(
                partial: paths.partialCapture, length: Int(session.writer.bytesFlushed), instance: instance,
                environment: store.layout.environment)
            status.files = delivery.files
            status.deliveredFiles = delivery.delivered
        }

        switch end {
        case .captureFailed(let message):
            return try finish(.error, reason: CaptureErrorKind.captureFailed.rawValue, errors: [.captureFailed] + delivery.errors, message: ([message] + delivery.messages).joined(separator: "; "))
        case .writeFailed(let code):
            return try finish(.error, reason: CaptureErrorKind.localFileFailed.rawValue, errors: [.localFileFailed] + delivery.errors,
                message: (["writing the capture file in the state directory failed: \(Errno(code))"] + delivery.messages).joined(separator: "; "))
        case .stopRequested, .timeLimitReached, .byteLimitReached, .fileCountReached:
            let reason: String
            switch end {
            case .timeLimitReached: reason = StopReason.timeExceeded
            case .byteLimitReached: reason = StopReason.totalBytesExceeded
            case .fileCountReached: reason = StopReason.fileCountExceeded
            default: reason = requestedReason(paths)
            }
            if let firstError = delivery.errors.first {
                return try finish(.error, reason: firstError.rawValue, errors: delivery.errors, message: "stopped (\(reason)) but " + delivery.messages.joined(separator: "; "))
            }
            return try finish(.stopped, reason: reason)
        }
    }

    private func record(_ progress: CaptureProgress, into status: inout InstanceStatus) {
        status.counters.packetsCaptured = progress.packetsWritten
        status.counters.bytesWritten = progress.bytesWritten
        if let statistics = progress.statistics {
            status.counters.packetsReceived = statistics.received
            status.counters.packetsDropped = statistics.dropped
            status.counters.packetsDroppedByInterface = statistics.droppedByInterface
        }
    }

    /// Why stop or delete asked this agent to stop (a bare signal counts as a stop request).
    private func requestedReason(_ paths: InstancePaths) -> String {
        guard let bytes = try? FileSystem.readFile(paths.stopReason) else { return StopReason.stopRequested }
        let reason = String(decoding: bytes, as: UTF8.self)
        return [StopReason.deleted, StopReason.stopRequested].contains(reason) ? reason : StopReason.stopRequested
    }

    /// A message when the namespace being captured has disappeared.
    private func machineGone(_ machine: Machine) -> String? {
        guard let path = machine.namespacePath, !FileSystem.exists(path) else { return nil }
        return "\(machine) disappeared during the capture"
    }

    /// One line in the agent's log (its stdout is agent.log); a log that cannot be written loses only the line.
    private func log(_ line: String) {
        try? StandardStream.write("\(Timestamp.now().iso8601) \(location)/\(name)/\(key): \(line)\n", to: StandardStream.output)
    }
}
