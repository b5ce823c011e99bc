import Glibc

/// The status of a whole capture as show-status prints it: Azure's fields, then pcapctl's counters, and
/// for a scale set each instance's own.
public struct CaptureStatusReport: Encodable, Sendable {
    public var name: String
    public var id: String
    public var captureStartTime: String?
    public var captureStopTime: String?
    public var packetCaptureStatus: CaptureState
    public var stopReason: String?
    public var packetCaptureError: [CaptureErrorKind]
    public var errorMessage: String?
    public var packetsCaptured: UInt64
    public var packetsReceived: UInt64
    public var packetsDropped: UInt64
    public var packetsDroppedByInterface: UInt64
    public var bytesWritten: UInt64
    public var agentPid: Int32?
    public var files: [String]
    public var instances: [InstanceReport]?

    public struct InstanceReport: Encodable, Sendable {
        public var instanceId: String
        public var vm: String
        public var packetCaptureStatus: CaptureState
        public var stopReason: String?
        public var packetCaptureError: [CaptureErrorKind]
        public var errorMessage: String?
        public var captureStartTime: String?
        public var packetsCaptured: UInt64
        public var packetsReceived: UInt64
        public var packetsDropped: UInt64
        public var packetsDroppedByInterface: UInt64
        public var bytesWritten: UInt64
        public var agentPid: Int32?
        public var files: [String]
    }

    /// az prints every status field, null when unset.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(id, forKey: .id)
        try container.encode(captureStartTime, forKey: .captureStartTime)
        try container.encode(captureStopTime, forKey: .captureStopTime)
        try container.encode(packetCaptureStatus, forKey: .packetCaptureStatus)
        try container.encode(stopReason, forKey: .stopReason)
        try container.encode(packetCaptureError, forKey: .packetCaptureError)
        try container.encode(errorMessage, forKey: .errorMessage)
        try container.encode(packetsCaptured, forKey: .packetsCaptured)
        try container.encode(packetsReceived, forKey: .packetsReceived)
        try container.encode(packetsDropped, forKey: .packetsDropped)
        try container.encode(packetsDroppedByInterface, forKey: .packetsDroppedByInterface)
        try container.encode(bytesWritten, forKey: .bytesWritten)
        try container.encode(agentPid, forKey: .agentPid)
        try container.encode(files, forKey: .files)
        try container.encodeIfPresent(instances, forKey: .instances)
    }

    enum CodingKeys: String, CodingKey {
        case name, id, captureStartTime, captureStopTime, packetCaptureStatus, stopReason, packetCaptureError, errorMessage
        case packetsCaptured, packetsReceived, packetsDropped, packetsDroppedByInterface, bytesWritten, agentPid, files, instances
    }
}

/// The operations behind the verbs: create (store, spawn, wait), status, stop, delete.
public struct CaptureService: Sendable {
    public let store: CaptureStore
    public var environment: PcapCtlEnvironment { store.layout.environment }

    public init(environment: PcapCtlEnvironment) {
        self.store = CaptureStore(environment: environment)
    }

    /// Stores the capture and starts one agent per instance. Exactly one concurrent create wins a name.
    public func start(_ capture: StoredCapture, agentExecutable: String) throws(PcapCtlError) {
        let location = capture.settings.location
        try store.withLocationLock(location, exclusive: true) { () throws(PcapCtlError) in
            try checkSessionLimit(location: location, adding: capture.settings.instances.count)
            let locks = try store.insert(capture, initialStatus: InstanceStatus(state: .notStarted))
            for (instance, lock) in zip(capture.settings.instances, locks) {
                let paths = store.instancePaths(capture, instance)
                do throws(PcapCtlError) {
                    _ = try AgentSupervisor.spawn(
                        executable: agentExecutable,
                        arguments: ["__agent", "--location", location, "--name", capture.resource.name, "--instance", instance.key],
                        environment: agentEnvironment(), paths: paths, lock: lock)
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
    }

    /// Azure allows 10,000 parallel sessions per region; pcapctl counts live agents per location, visiting
    /// only the captures marked live (and unmarking those whose agents have all ended).
    /// Must be called holding the location lock, so two creates cannot both take the last place.
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
            throw .failure("PacketCaptureLimitReached: location '\(location)' already runs \(active) capture sessions; the limit is \(limit)")
        }
    }

    /// The variables an agent needs to find the same state, whatever the caller's environment held.
    private func agentEnvironment() -> [String] {
        var variables: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if !text.hasPrefix("PCAPCTL_") { variables.append(text) }
            cursor += 1
        }
        return variables + [
            "PCAPCTL_HOME=\(environment.home)", "PCAPCTL_STORAGE_ROOT=\(environment.storageRoot)",
            "PCAPCTL_CAPTURES_ROOT=\(environment.capturesRoot)", "PCAPCTL_SUBSCRIPTION=\(environment.subscription)",
        ]
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

    public func report(_ capture: StoredCapture) throws(PcapCtlError) -> CaptureStatusReport {
        let statuses = try instanceStatuses(capture)
        let all = statuses.map(\.1)
        let state: CaptureState =
            all.contains { $0.state == .running } ? .running
            : all.contains { $0.state == .notStarted } ? .notStarted
            : all.contains { $0.state == .error } ? .error
            : all.allSatisfy { $0.state == .stopped } ? .stopped : .unknown
        let counters = all.map(\.counters).reduce(CaptureCounters(), +)
        var errors: [CaptureErrorKind] = []
        for error in all.flatMap(\.errors) where !errors.contains(error) { errors.append(error) }
        let reasons = all.compactMap(\.stopReason)
        let isScaleSet = capture.resource.targetType == .azureVMSS
        return CaptureStatusReport(
            name: capture.resource.name,
            id: capture.resource.id,
            captureStartTime: all.compactMap(\.captureStartTime).min(),
            captureStopTime: all.allSatisfy(\.isFinal) ? all.compactMap(\.captureStopTime).max() : nil,
            packetCaptureStatus: state,
            stopReason: state == .error ? all.first { $0.state == .error }?.stopReason : reasons.first,
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
    }

    /// Waits until every instance has left NotStarted (or `timeout` passes); returns the report then.
    public func waitUntilStarted(_ capture: StoredCapture, timeout: Double) throws(PcapCtlError) -> CaptureStatusReport {
        let deadline = MonotonicClock.seconds() + timeout
        while true {
            let statuses = try instanceStatuses(capture).map(\.1)
            if statuses.allSatisfy({ $0.state != .notStarted }) || MonotonicClock.seconds() >= deadline {
                return try report(capture)
            }
            usleep(10_000)
        }
    }

    /// Waits until every instance is final; false if `timeout` (seconds, nil = forever) passed first.
    public func waitUntilStopped(_ capture: StoredCapture, timeout: Double?) throws(PcapCtlError) -> Bool {
        let deadline = timeout.map { MonotonicClock.seconds() + $0 }
        while true {
            if try instanceStatuses(capture).allSatisfy({ $0.1.isFinal }) { return true }
            if let deadline, MonotonicClock.seconds() >= deadline { return false }
            usleep(50_000)
        }
    }

    /// Stops every running instance and returns once their files are final. Idempotent.
    public func stop(_ capture: StoredCapture, reason: String = StopReason.stopRequested) throws(PcapCtlError) {
        for instance in capture.settings.instances {
            AgentSupervisor.stop(store.instancePaths(capture, instance), reason: reason)
        }
        _ = try instanceStatuses(capture)
    }

    /// Stops the capture if it runs, then removes the resource; delivered capture files stay.
    public func delete(name: String, location: String) throws(PcapCtlError) {
        let capture = try store.load(name: name, location: location)
        try stop(capture, reason: StopReason.deleted)
        try store.withLocationLock(location, exclusive: true) { () throws(PcapCtlError) in
            try store.remove(name: name, location: location)
        }
    }

    /// Every capture in a location, or in all locations, in a stable order.
    public func list(location: String?) throws(PcapCtlError) -> [StoredCapture] {
        let locations: [String]
        if let location { locations = [location] } else { locations = try store.locations() }
        var captures: [StoredCapture] = []
        for location in locations {
            for name in try store.names(in: location) {
                do throws(PcapCtlError) {
                    captures.append(try store.load(name: name, location: location))
                } catch {
                    if error.code == .notFound { continue }  // deleted while we listed
                    throw error
                }
            }
        }
        return captures
    }
}
