import CaptureAgent
import CaptureOperations
import ControlPlane
import HTTPTypes

/// The server's one door into the capture operations (`PacketCaptureOperations`, the layer the CLI's
/// verbs call): every ARM handler goes through here, and every error comes back as an `ARMError`.
/// All calls block (they read the store, start agents, wait for them) and are made on the blocking
/// pool, never on an event loop.
struct CaptureBackend: Sendable {
    let operations: PacketCaptureOperations

    /// Agents are started by re-executing this daemon, which runs them like `pcapctl` does.
    init(environment: PcapCtlEnvironment) {
        operations = LocalCaptureHost.operations(environment: environment)
    }

    var subscription: String { operations.environment.subscription }

    /// How long a create's operation waits for its agents to run before it reports them failed.
    static let startTimeout = 20.0

    /// Checks, stores and starts a capture; returns once its agents are spawned (not yet running).
    func create(_ body: CreateBody, name: String, location: String) throws(ARMError) -> StoredCapture {
        try translating { () throws(PcapCtlError) in
            let (resourceGroup, reference) = try targetReference(body)
            return try operations.create(CreateRequest(
                name: name, location: location, resourceGroup: resourceGroup,
                vm: body.targetType == .azureVM ? reference : nil,
                target: body.targetType == .azureVMSS ? reference : nil,
                targetType: body.targetType,
                storageAccount: body.storageId, storagePath: body.storagePath, filePath: body.filePath,
                captureSize: body.bytesToCapturePerPacket, captureLimit: body.totalBytesPerSession,
                timeLimit: body.timeLimitInSeconds, continuousCapture: body.continuousCapture, localPath: body.localPath,
                fileCount: body.fileCount, fileSizeInBytes: body.fileSizeInBytes,
                sessionTimeLimitInSeconds: body.sessionTimeLimitInSeconds, filters: body.filters,
                include: body.include, exclude: body.exclude))
        }
    }

    /// Blocks until the capture's agents run; throws the start failure as the operation's error.
    func waitUntilStarted(_ capture: StoredCapture) throws(ARMError) {
        let report = try translating { () throws(PcapCtlError) in try operations.waitUntilStarted(capture, timeout: Self.startTimeout) }
        if report.packetCaptureStatus == .error {
            let detail = report.errorMessage ?? report.packetCaptureError.map { $0.rawValue }.joined(separator: ", ")
            throw ARMError(.badRequest, "PacketCaptureFailed", "capture '\(capture.name)' failed to start: \(detail)")
        }
    }

    func get(_ reference: CaptureReference) throws(ARMError) -> CaptureView {
        try translating { () throws(PcapCtlError) in try operations.get(reference) }
    }

    func status(_ reference: CaptureReference) throws(ARMError) -> CaptureStatusReport {
        try translating { () throws(PcapCtlError) in try operations.status(reference) }
    }

    func list(location: String) throws(ARMError) -> [CaptureView] {
        try translating { () throws(PcapCtlError) in try operations.list(location: location).captures }
    }

    /// Stops every instance and returns once the files are final (seconds, for a busy capture).
    func stop(_ reference: CaptureReference) throws(ARMError) {
        try translating { () throws(PcapCtlError) in try operations.stop(reference) }
    }

    /// Stops the capture if needed and removes the resource; delivered files stay.
    func delete(_ reference: CaptureReference) throws(ARMError) {
        _ = try translating { () throws(PcapCtlError) in try operations.delete(reference) }
    }

    /// The files that hold exactly a finished capture's bytes, one per instance (409 while it runs).
    func files(_ reference: CaptureReference) throws(ARMError) -> [CaptureOperations.CaptureFile] {
        try translating { () throws(PcapCtlError) in try operations.files(reference) }
    }

    /// Whether a VM name stands for something on this host (the host itself, a namespace, pid:N).
    func virtualMachineExists(_ name: String) throws(ARMError) -> Bool {
        try exists { () throws(PcapCtlError) in _ = try operations.planner.machines.resolveVM(name) }
    }

    func scaleSetExists(_ name: String) throws(ARMError) -> Bool {
        try exists { () throws(PcapCtlError) in _ = try operations.planner.machines.resolveScaleSet(name, include: [], exclude: []) }
    }

    private func exists(_ lookup: () throws(PcapCtlError) -> Void) throws(ARMError) -> Bool {
        do throws(PcapCtlError) {
            try lookup()
            return true
        } catch {
            if error.kind == .notFound { return false }
            throw Self.armError(error)
        }
    }

    /// `properties.target`: a compute resource id in this subscription (its resource group kept), or a bare name.
    private func targetReference(_ body: CreateBody) throws(PcapCtlError) -> (resourceGroup: String, reference: String) {
        guard body.target.hasPrefix("/") else { return ("local", body.target) }
        let parts = body.target.split(separator: "/").map(String.init)
        let kind = body.targetType == .azureVM ? "virtualMachines" : "virtualMachineScaleSets"
        guard parts.count == 8, parts[0].lowercased() == "subscriptions", parts[2].lowercased() == "resourcegroups",
            parts[4].lowercased() == "providers", parts[5].lowercased() == "microsoft.compute", parts[6].lowercased() == kind.lowercased()
        else {
            throw .usage("target", "'\(Validation.printable(body.target))' is not a \(kind) resource id (/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Compute/\(kind)/NAME), as targetType \(body.targetType.rawValue) needs")
        }
        guard parts[1].lowercased() == subscription.lowercased() else {
            throw .usage("target", "'\(Validation.printable(body.target))' is in subscription '\(Validation.printable(parts[1]))'; this server answers for '\(subscription)'")
        }
        return (parts[3], parts[7])
    }

    private func translating<T>(_ body: () throws(PcapCtlError) -> T) throws(ARMError) -> T {
        do throws(PcapCtlError) { return try body() } catch { throw Self.armError(error) }
    }

    /// The operations' error as ARM sends it: its status, Azure's code, and the field below `properties`.
    static func armError(_ error: PcapCtlError) -> ARMError {
        let target = error.parameter.map { parameter in
            switch parameter {
            case "name": "packetCaptureName"
            case "location": "networkWatcherName"
            case "resourceGroup": "properties.target"
            default: "properties.\(parameter)"
            }
        }
        let code = error.code ?? (error.kind == .failure ? "InternalServerError" : PcapCtlError.invalidRequestCode)
        let message = target.map { "\($0): \(error.message)" } ?? error.message
        return ARMError(HTTPResponse.Status(code: error.httpStatus), code, message, target: target)
    }
}
