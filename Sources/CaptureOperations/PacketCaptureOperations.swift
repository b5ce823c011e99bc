import ControlPlane
import Glibc
import PacketFilters
import SystemCalls

/// Which capture an operation is about: Azure addresses one by its watcher's location and its name
/// (case-insensitive).
public struct CaptureReference: Sendable, Hashable {
    public var name: String
    public var location: String
    /// The capture's full ARM id when it was named by id (`--ids`, an ARM path): then only the capture
    /// whose own id is this one (compared without regard to case, as ARM does) is found, so an id in
    /// another subscription or resource group finds nothing.
    public var id: String?

    public init(name: String, location: String, id: String? = nil) {
        self.name = name
        self.location = location
        self.id = id
    }
}

/// Tells whether libpcap accepts a BPF expression. Injected, so this module need not link libpcap.
public protocol FilterValidator: Sendable {
    /// libpcap's reason for refusing `expression`, or nil when it compiles.
    func refusal(of expression: String) -> String?
}

/// A capture as `show` and `list` present it: the stored capture, its printed resource and, when asked
/// for, its status.
public struct CaptureView: Sendable {
    public var capture: StoredCapture
    public var resource: PacketCaptureResource
    public var status: CaptureStatusReport?
}

/// What `list` found: the captures it could read, and those it could not (a corrupt or newer record).
public struct CaptureListing: Sendable {
    public var captures: [CaptureView]
    public var unreadable: [CaptureStore.Unreadable]
}

/// One capture file that holds exactly the session's own bytes, checked against what delivery recorded.
public struct CaptureFile: Sendable, Equatable {
    /// The instance it belongs to (`vm`, or the scale set instance id).
    public var instanceKey: String
    public var path: String
    public var size: UInt64
    /// A continuous capture's file name (`CaptureSegment.name`); nil for a single-file capture.
    public var segmentName: String? = nil
}

/// The operations behind every front end: the CLI's verbs, the daemon's ARM endpoints and the page call
/// exactly these. Each takes typed input and returns a typed result or throws `PcapCtlError`.
///
/// Long waits are separate calls (`waitUntilStarted`, `waitUntilStopped`) over non-blocking ones
/// (`create`, `requestStop`), so a server can answer 202 at once and let clients poll `status`.
public struct PacketCaptureOperations: Sendable {
    public let environment: PcapCtlEnvironment
    public let store: CaptureStore
    public var planner: CreatePlanner
    private let filterValidator: any FilterValidator
    private let launcher: any AgentLauncher
    /// Where the operations report what they do (agents started and stopped, files delivered, lock waits).
    public let events: any OperationEventSink

    public init(
        environment: PcapCtlEnvironment, filterValidator: any FilterValidator, launcher: any AgentLauncher,
        machines: MachineResolver = MachineResolver(), events: any OperationEventSink = DiscardedEvents()
    ) {
        self.environment = environment
        self.events = events
        self.store = CaptureStore(environment: environment, events: events)
        self.planner = CreatePlanner(environment: environment, machines: machines)
        self.filterValidator = filterValidator
        self.launcher = launcher
    }

    // MARK: compile-filters

    /// The BPF expression for the filters on `device`, checked by libpcap; nil captures everything.
    public func compileFilters(_ filters: [PacketCaptureFilter], on device: CaptureDevice) throws(PcapCtlError) -> String? {
        guard let expression = BPFExpression.make(for: filters, on: device) else { return nil }
        if let refusal = filterValidator.refusal(of: expression) {
            throw PcapCtlError(.unprocessable, parameter: "filters", "the compiled expression was refused by libpcap: \(refusal)")
        }
        return expression
    }

    // MARK: create

    /// Validates the request, stores the capture and starts one agent per instance; returns without waiting
    /// for them to capture (`waitUntilStarted`). Exactly one concurrent create wins a name, and a create
    /// interrupted by a signal leaves either the whole capture, starting, or nothing.
    public func create(_ request: CreateRequest) throws(PcapCtlError) -> StoredCapture {
        let expression = try compileFilters(request.filters, on: request.interface == nil ? .any : .interface)
        let capture = try planner.plan(request, bpfExpression: expression)
        let location = capture.location
        try store.withLocationLock(location, exclusive: true) { () throws(PcapCtlError) in
            // From here the capture is made whole or not at all: stop signals wait until it is.
            let deferred = StopSignalsDeferred()
            defer { deferred.end() }
            try checkSessionLimit(location: location, adding: capture.settings.instances.count)
            let started = try store.insert(capture, before: { () throws(PcapCtlError) in try planner.checkDestinations(capture) })
            for (instance, agent) in zip(capture.settings.instances, started) {
                let paths = store.instancePaths(capture, instance)
                let assignment = AgentAssignment(location: location, name: capture.name, instanceKey: instance.key, launchToken: agent.token)
                do throws(PcapCtlError) {
                    let pid = try launcher.launch(assignment, paths: paths, lock: agent.lock, environment: environment)
                    events.record(.agentStarted(capture: capture.name, location: location, instance: instance.key, pid: pid))
                } catch {
                    var status = InstanceStatus(state: .error)
                    status.errors = [.internalError]
                    status.stopReason = CaptureErrorKind.internalError.rawValue
                    status.errorMessage = error.message
                    try? store.writeStatus(status, to: paths)
                    throw error
                }
            }
        }
        return capture
    }

    /// Azure allows 10,000 parallel sessions per region; pcapctl counts live agents (one per VM, one per
    /// scale set instance) per location, visiting only the captures marked live (and unmarking those whose
    /// agents have all ended). Must be called holding the location lock, so two creates cannot both take
    /// the last place.
    private func checkSessionLimit(location: String, adding count: Int) throws(PcapCtlError) {
        var active = 0
        for name in try store.liveNames(in: location) {
            guard let capture = try? store.load(name: name, location: location) else {
                store.forgetLive(name: name, location: location)
                continue
            }
            let running = capture.settings.instances.filter { AgentSupervisor.isAlive(store.instancePaths(capture, $0)) }.count
            if running == 0 { store.forgetLive(name: name, location: location) }
            active += running
        }
        let limit = environment.maximumActiveCaptures
        if active + count > limit {
            let needs = count == 1 ? "1 more" : "\(count) more (one per scale set instance)"
            throw .conflict(code: "PacketCaptureLimitReached",
                "location '\(location)' already runs \(active) capture session\(active == 1 ? "" : "s") and this capture needs \(needs); the limit is \(limit)")
        }
    }

    /// Waits until every instance has left NotStarted (or `timeout` seconds pass); returns the status then.
    public func waitUntilStarted(_ capture: StoredCapture, timeout: Double) throws(PcapCtlError) -> CaptureStatusReport {
        let deadline = MonotonicClock.seconds() + timeout
        while true {
            let statuses = try instanceStatuses(capture).map(\.1)
            if statuses.allSatisfy({ $0.state != .notStarted }) || MonotonicClock.seconds() >= deadline {
                return report(capture, statuses: try instanceStatuses(capture))
            }
            usleep(10_000)
        }
    }

    // MARK: get, status, list

    public func get(_ reference: CaptureReference) throws(PcapCtlError) -> CaptureView {
        let capture = try load(reference)
        let statuses = try instanceStatuses(capture)
        return CaptureView(capture: capture, resource: capture.resource(provisioningState: provisioningState(statuses.map(\.1))), status: nil)
    }

    public func status(_ reference: CaptureReference) throws(PcapCtlError) -> CaptureStatusReport {
        let capture = try load(reference)
        return report(capture, statuses: try instanceStatuses(capture))
    }

    /// Every capture in a location, or in all locations, in a stable order; with `includeStatus`, each
    /// with its status too.
    public func list(location: String?, includeStatus: Bool = false) throws(PcapCtlError) -> CaptureListing {
        let locations: [String]
        if let location { locations = [location] } else { locations = try store.locations() }
        var listing = CaptureListing(captures: [], unreadable: [])
        for location in locations {
            let found = try store.loadAll(in: location)
            listing.unreadable += found.unreadable
            for capture in found.captures {
                do throws(PcapCtlError) {
                    let statuses = try instanceStatuses(capture)
                    listing.captures.append(CaptureView(
                        capture: capture, resource: capture.resource(provisioningState: provisioningState(statuses.map(\.1))),
                        status: includeStatus ? report(capture, statuses: statuses) : nil))
                } catch {
                    if error.kind == .notFound { continue }  // deleted while we listed
                    listing.unreadable.append(CaptureStore.Unreadable(name: capture.name, location: location, error: error))
                }
            }
        }
        return listing
    }

    /// Azure's provisioning state: Failed when every instance failed before capturing anything.
    private func provisioningState(_ statuses: [InstanceStatus]) -> String {
        let neverStarted = statuses.allSatisfy { $0.state == .error && $0.captureStartTime == nil }
        return !statuses.isEmpty && neverStarted ? ProvisioningState.failed : ProvisioningState.succeeded
    }

    /// Each instance's status, made true first (see `Reconciler`).
    public func instanceStatuses(_ capture: StoredCapture) throws(PcapCtlError) -> [(CaptureInstance, InstanceStatus)] {
        let reconciler = Reconciler(store: store)
        var result: [(CaptureInstance, InstanceStatus)] = []
        for instance in capture.settings.instances {
            result.append((instance, try reconciler.status(of: capture, instance)))
        }
        return result
    }

    private func report(_ capture: StoredCapture, statuses: [(CaptureInstance, InstanceStatus)]) -> CaptureStatusReport {
        let all = statuses.map(\.1)
        let state: CaptureState =
            all.contains { $0.state == .running } ? .running
            : all.contains { $0.state == .notStarted } ? .notStarted
            : all.contains { $0.state == .error } ? .error
            : all.allSatisfy { $0.state == .stopped } ? .stopped : .unknown
        let allFinal = all.allSatisfy(\.isFinal)
        let counters = all.map(\.counters).reduce(CaptureCounters(), +)
        var errors: [CaptureErrorKind] = []
        for error in all.flatMap(\.errors) where !errors.contains(error) { errors.append(error) }
        let isScaleSet = capture.record.targetType == .azureVMSS
        let stopReason = allFinal ? (all.first { $0.state == .error }?.stopReason ?? all.compactMap(\.stopReason).first) : nil
        var report = CaptureStatusReport(
            name: capture.name,
            id: capture.record.id,
            captureStartTime: all.compactMap(\.captureStartTime).min(),
            captureStopTime: allFinal ? all.compactMap(\.captureStopTime).max() : nil,
            packetCaptureStatus: state,
            stopReason: stopReason,
            packetCaptureError: errors,
            errorMessage: all.compactMap(\.errorMessage).first,
            packetsCaptured: counters.packetsCaptured,
            packetsReceived: counters.packetsReceived,
            packetsDropped: counters.packetsDropped,
            packetsDroppedByInterface: counters.packetsDroppedByInterface,
            bytesWritten: counters.bytesWritten,
            agentPid: isScaleSet ? nil : all.first?.agentPid,
            files: all.flatMap(\.files),
            instances: isScaleSet ? statuses.map { instance, status in
                CaptureStatusReport.InstanceReport(
                    instanceId: instance.instanceId ?? instance.key, vm: "\(instance.machine)",
                    packetCaptureStatus: status.state, stopReason: status.stopReason, packetCaptureError: status.errors,
                    errorMessage: status.errorMessage, captureStartTime: status.captureStartTime,
                    packetsCaptured: status.counters.packetsCaptured, packetsReceived: status.counters.packetsReceived,
                    packetsDropped: status.counters.packetsDropped, packetsDroppedByInterface: status.counters.packetsDroppedByInterface,
                    bytesWritten: status.counters.bytesWritten, agentPid: status.agentPid, files: status.files)
            } : nil)
        if capture.record.captureSettings != nil {
            report.captureFiles = statuses.flatMap { instance, status in
                (status.segments ?? []).map { segment in
                    CaptureStatusReport.FileReport(
                        name: segment.name, instanceId: isScaleSet ? instance.key : nil,
                        firstPacketTime: segment.firstPacketTime, lastPacketTime: segment.lastPacketTime,
                        packets: segment.packets, bytes: segment.bytes,
                        localPath: segment.local?.path, storagePath: segment.storage?.path, keptAt: segment.kept)
                }
            }
            let rotated = all.compactMap(\.rotatedOut)
            report.filesRotatedOut = rotated.reduce(0) { $0 + $1.files }
            report.packetsRotatedOut = rotated.reduce(0) { $0 + $1.packets }
            report.bytesRotatedOut = rotated.reduce(0) { $0 + $1.bytes }
        }
        return report
    }

    // MARK: stop, delete, wait

    /// Asks every running instance to stop, without waiting; poll `status` (or call `waitUntilStopped`).
    public func requestStop(_ reference: CaptureReference) throws(PcapCtlError) {
        let capture = try load(reference)
        for instance in capture.settings.instances {
            AgentSupervisor.requestStop(store.instancePaths(capture, instance), reason: StopReason.stopRequested)
        }
    }

    /// Stops every running instance and returns once their files are final. Idempotent.
    public func stop(_ reference: CaptureReference) throws(PcapCtlError) {
        let capture = try load(reference)
        try stop(capture, reason: StopReason.stopRequested)
    }

    private func stop(_ capture: StoredCapture, reason: String) throws(PcapCtlError) {
        var stopped: Set<String> = []
        for instance in capture.settings.instances {
            let started = MonotonicClock.seconds()
            if AgentSupervisor.stop(store.instancePaths(capture, instance), reason: reason) {
                stopped.insert(instance.key)
                events.record(.agentStopped(capture: capture.name, instance: instance.key, reason: reason, seconds: MonotonicClock.seconds() - started))
            }
        }
        for (instance, status) in try instanceStatuses(capture) where stopped.contains(instance.key) {
            events.record(.filesDelivered(capture: capture.name, instance: instance.key, files: status.files))
        }
    }

    /// The stored capture a reference names; one named by id only if its own id is that id.
    func load(_ reference: CaptureReference) throws(PcapCtlError) -> StoredCapture {
        let capture = try store.load(name: reference.name, location: reference.location)
        if let id = reference.id, capture.record.id.lowercased() != id.lowercased() {
            throw .notFound("packet capture '\(id)' was not found: the capture named '\(capture.name)' in location '\(reference.location)' has id '\(capture.record.id)'")
        }
        return capture
    }

    /// Stops the capture if it runs, then removes the resource. Delivered files stay where they are, and
    /// packets that never reached a destination are kept under `orphans/`: their paths are returned. A
    /// record that cannot be read is removed all the same.
    public func delete(_ reference: CaptureReference) throws(PcapCtlError) -> [String] {
        if let capture = try? store.load(name: reference.name, location: reference.location) {
            if reference.id != nil { _ = try load(reference) }
            try stop(capture, reason: StopReason.deleted)
        }
        return try store.withLocationLock(reference.location, exclusive: true) { () throws(PcapCtlError) in
            try store.remove(name: reference.name, location: reference.location)
        }
    }

    /// Waits until every instance is final; false if `timeout` (seconds, nil = forever) passed first.
    public func waitUntilStopped(_ reference: CaptureReference, timeout: Double?) throws(PcapCtlError) -> Bool {
        let capture = try load(reference)
        let deadline = timeout.map { MonotonicClock.seconds() + $0 }
        while true {
            if try instanceStatuses(capture).allSatisfy({ $0.1.isFinal }) { return true }
            if let deadline, MonotonicClock.seconds() >= deadline { return false }
            usleep(50_000)
        }
    }

    // MARK: download

    /// The files holding exactly the finished capture's own bytes, one per instance: a delivered file that
    /// still matches what delivery recorded, else the session's copy in the state directory (kept when a
    /// delivery failed). A delivered file replaced or changed since is never served.
    ///
    /// A continuous capture's files are served while it runs too: every closed file in its destinations,
    /// oldest first (or only the one named `fileName`), each checked the same way. A file the ring rotates
    /// out while it is read stays whole for the reader (an unlinked file keeps its bytes).
    public func files(_ reference: CaptureReference, fileName: String? = nil) throws(PcapCtlError) -> [CaptureFile] {
        let capture = try load(reference)
        let statuses = try instanceStatuses(capture)
        if capture.record.captureSettings != nil {
            let files = statuses.flatMap { instance, status in
                (status.segments ?? []).filter { fileName == nil || $0.name == fileName }.compactMap { segment in ownFile(of: segment, instance) }
            }
            if let fileName, files.isEmpty {
                let names = statuses.flatMap { ($0.1.segments ?? []).map(\.name) }
                throw .notFound(parameter: "fileName", "capture '\(capture.name)' has no file '\(Validation.printable(fileName))' now; its files are: \(names.isEmpty ? "none yet" : names.joined(separator: ", "))")
            }
            return files
        }
        if fileName != nil {
            throw .usage("fileName", "names one file of a continuous capture; '\(capture.name)' writes a single file")
        }
        if statuses.contains(where: { !$0.1.isFinal }) {
            throw .conflict(code: "PacketCaptureIsRunning",
                "capture '\(capture.name)' is still running; stop it ('pcapctl stop') or wait for it ('pcapctl wait') before downloading")
        }
        var files: [CaptureFile] = []
        for (instance, status) in statuses {
            files.append(try ownFile(of: capture, instance, status))
        }
        return files
    }

    /// A continuous capture's file: a delivered copy still as delivered, else the state directory's copy
    /// kept when a destination failed; nil when neither holds it any more.
    private func ownFile(of segment: CaptureSegment, _ instance: CaptureInstance) -> CaptureFile? {
        if let copy = segment.delivered.first(where: { CaptureDelivery.identify($0.path) == $0 }) {
            return CaptureFile(instanceKey: instance.key, path: copy.path, size: copy.size, segmentName: segment.name)
        }
        if let kept = segment.kept, CaptureDelivery.identify(kept)?.size == segment.bytes {
            return CaptureFile(instanceKey: instance.key, path: kept, size: segment.bytes, segmentName: segment.name)
        }
        return nil
    }

    private func ownFile(of capture: StoredCapture, _ instance: CaptureInstance, _ status: InstanceStatus) throws(PcapCtlError) -> CaptureFile {
        let partial = store.instancePaths(capture, instance).partialCapture
        var changed: [String] = []
        if let delivered = status.deliveredFiles {
            for recorded in delivered {
                if CaptureDelivery.identify(recorded.path) == recorded {
                    return CaptureFile(instanceKey: instance.key, path: recorded.path, size: recorded.size)
                }
                changed.append(recorded.path)
            }
        } else {
            // Recorded by pcapctl 0.1, which kept no identity: the destinations as they are.
            for path in status.files where FileSystem.exists(path) {
                return CaptureFile(instanceKey: instance.key, path: path, size: UInt64(CaptureDelivery.identify(path)?.size ?? 0))
            }
        }
        if let own = CaptureDelivery.identify(partial) {
            return CaptureFile(instanceKey: instance.key, path: partial, size: own.size)
        }
        if !changed.isEmpty {
            throw .conflict(code: "PacketCaptureFileChanged",
                "capture '\(capture.name)': \(changed.joined(separator: ", ")) was replaced or changed since the capture delivered it, and no other copy of the session's packets is kept")
        }
        throw .failure("capture '\(capture.name)' has no file to download (status \(status.state.rawValue): \(status.errorMessage ?? "no packets were written"))")
    }

    /// Copies a finished capture's files to `destination`: the file itself for a VM, a directory with one
    /// INSTANCE.cap per instance for a scale set. Returns the paths written.
    ///
    /// A continuous capture's files go into the directory `destination` (ending in `/`, or an existing
    /// directory) under their own names, in a subdirectory per instance for a scale set; with `fileName`,
    /// only that file, to `destination` itself unless it is such a directory. A file rotated out before it
    /// could be opened is skipped: it is no longer one of the capture's files.
    public func download(_ reference: CaptureReference, to destination: String, overwrite: Bool, fileName: String? = nil) throws(PcapCtlError) -> [String] {
        guard !destination.isEmpty, !destination.utf8.contains(0) else { throw .usage("file", "the destination must be a path") }
        let capture = try load(reference)
        let files = try self.files(reference, fileName: fileName)
        if capture.record.captureSettings != nil {
            return try downloadSegments(files, capture: capture, to: destination, overwrite: overwrite, single: fileName != nil)
        }
        let isScaleSet = capture.record.targetType == .azureVMSS
        if isScaleSet {
            do { try FileSystem.makeDirectories(destination) } catch {
                throw PcapCtlError(.failure, parameter: "file", "cannot create directory '\(destination)': \(error)")
            }
        }
        var written: [String] = []
        for file in files {
            let target = isScaleSet ? "\(destination)/\(file.instanceKey).cap" : destination
            try Self.copy(file, to: target, overwrite: overwrite)
            written.append(target)
        }
        return written
    }

    private func downloadSegments(_ files: [CaptureFile], capture: StoredCapture, to destination: String, overwrite: Bool, single: Bool) throws(PcapCtlError) -> [String] {
        var info = stat()
        let isDirectory = destination.hasSuffix("/") || (stat(destination, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR)
        guard isDirectory || single else {
            throw .usage("file", "capture '\(capture.name)' is continuous and has several files: give a directory ending in '/' to get them all, or name one with --file-name")
        }
        let isScaleSet = capture.record.targetType == .azureVMSS
        var written: [String] = []
        for file in files {
            var target = destination
            if isDirectory {
                var directory = destination
                while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
                if isScaleSet { directory += "/\(file.instanceKey)" }
                do { try FileSystem.makeDirectories(directory) } catch {
                    throw PcapCtlError(.failure, parameter: "file", "cannot create directory '\(directory)': \(error)")
                }
                target = "\(directory)/\(file.segmentName ?? FileSystem.baseName(of: file.path))"
            }
            do throws(PcapCtlError) {
                try Self.copy(file, to: target, overwrite: overwrite)
            } catch {
                if !single && !FileSystem.exists(file.path) { continue }
                throw error
            }
            written.append(target)
        }
        return written
    }

    /// Copies through a hidden temporary beside the destination, then renames it into place; exactly the
    /// recorded size is copied, so bytes appended since are never included.
    static func copy(_ file: CaptureFile, to destination: String, overwrite: Bool) throws(PcapCtlError) {
        if !overwrite && FileSystem.exists(destination) {
            throw PcapCtlError(.failure, parameter: "file", "'\(destination)' already exists; pass --overwrite to replace it",
                commandLineMessage: "--file: '\(destination)' already exists; pass --overwrite to replace it")
        }
        let temporary = "\(FileSystem.parentDirectory(of: destination))/.\(FileSystem.baseName(of: destination)).download-\(getpid())"
        do {
            let input = try FileSystem.open(file.path, O_RDONLY)
            let output = try FileSystem.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
            try input.copy(to: output, upTo: Int(file.size))
            try output.sync()
            try FileSystem.rename(temporary, destination)
        } catch {
            _ = unlink(temporary)
            throw PcapCtlError(.failure, parameter: "file", "cannot write '\(destination)': \(error)")
        }
    }
}

/// Holds the stop signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT) on this thread for a section that must finish
/// once begun; a signal that arrives meanwhile is delivered when the section ends.
private struct StopSignalsDeferred {
    private var previous = sigset_t()

    init() {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&blocked, signal) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
    }

    func end() {
        var restore = previous
        pthread_sigmask(SIG_SETMASK, &restore, nil)
    }
}
