import CaptureEngine
import ControlPlane
import PacketFilters

/// The server's one door into the capture operations: every call the ARM handlers make goes through
/// here, and every error comes back as an `ARMError`. All calls block (they read the store, start
/// agents, wait for them) and are made on the blocking pool, never on an event loop.
///
/// It composes ControlPlane exactly as the CLI's verbs do today (CreatePlanner, CaptureService); when
/// the operations layer (`CaptureOperations`) lands, this file alone changes.
struct CaptureBackend: Sendable {
    let environment: PcapCtlEnvironment
    /// The `pcapctl` executable whose `__agent` verb runs a capture.
    let agentExecutable: String

    private var service: CaptureService { CaptureService(environment: environment) }

    /// How long a create waits for its agents to run before its operation is reported as failed.
    static let startTimeout = 20.0

    /// Checks, stores and starts a capture; returns once its agents are spawned (not yet running).
    func create(_ body: CreateBody, name: String, location: String) throws(ARMError) -> StoredCapture {
        try translating { () throws(PcapCtlError) in
            let (resourceGroup, reference) = try targetReference(body)
            let expression = try compile(body.filters)
            let request = CreateRequest(
                name: name, location: location, resourceGroup: resourceGroup,
                vm: body.targetType == .azureVM ? reference : nil,
                target: body.targetType == .azureVMSS ? reference : nil,
                targetType: body.targetType,
                storageAccount: body.storageId, storagePath: body.storagePath, filePath: body.filePath,
                captureSize: body.bytesToCapturePerPacket, captureLimit: body.totalBytesPerSession,
                timeLimit: body.timeLimitInSeconds, filters: body.filters, bpfExpression: expression,
                include: body.include, exclude: body.exclude, interface: nil,
                bufferSize: CaptureConfiguration.defaultBufferSize)
            let planner = CreatePlanner(environment: environment)
            let capture = try planner.plan(request)
            try planner.checkDestinations(capture)
            try service.start(capture, agentExecutable: agentExecutable)
            return capture
        }
    }

    /// Blocks until the capture's agents run; throws the start failure as the operation's error.
    func waitUntilStarted(_ capture: StoredCapture) throws(ARMError) {
        let report = try translating { () throws(PcapCtlError) in try service.waitUntilStarted(capture, timeout: Self.startTimeout) }
        if report.packetCaptureStatus == .error {
            let detail = report.errorMessage ?? report.packetCaptureError.map { $0.rawValue }.joined(separator: ", ")
            throw ARMError(.badRequest, "PacketCaptureFailed", "capture '\(capture.resource.name)' failed to start: \(detail)")
        }
    }

    func get(name: String, location: String) throws(ARMError) -> StoredCapture {
        try translating { () throws(PcapCtlError) in try service.store.load(name: name, location: location) }
    }

    func status(name: String, location: String) throws(ARMError) -> CaptureStatusReport {
        try translating { () throws(PcapCtlError) in try service.report(try service.store.load(name: name, location: location)) }
    }

    func list(location: String) throws(ARMError) -> [StoredCapture] {
        try translating { () throws(PcapCtlError) in try service.list(location: location) }
    }

    /// Stops every instance and returns once the files are final (seconds, for a busy capture).
    func stop(_ capture: StoredCapture) throws(ARMError) {
        try translating { () throws(PcapCtlError) in try service.stop(capture) }
    }

    /// Stops the capture if needed and removes the resource; delivered files stay.
    func delete(name: String, location: String) throws(ARMError) {
        try translating { () throws(PcapCtlError) in try service.delete(name: name, location: location) }
    }

    /// The delivered files of a finished capture (none while any instance still runs).
    func files(_ capture: StoredCapture) throws(ARMError) -> [String] {
        try translating { () throws(PcapCtlError) in
            let statuses = try service.instanceStatuses(capture)
            guard statuses.allSatisfy({ $0.1.isFinal }) else { return [] }
            return statuses.flatMap { $0.1.files }
        }
    }

    /// The VM a name stands for on this host (the host itself, a namespace, pid:N), or nil.
    func virtualMachineExists(_ name: String) throws(ARMError) -> Bool {
        do throws(PcapCtlError) {
            _ = try MachineResolver().resolveVM(name)
            return true
        } catch {
            if error.code == .notFound { return false }
            throw Self.armError(error)
        }
    }

    func scaleSetExists(_ name: String) throws(ARMError) -> Bool {
        do throws(PcapCtlError) {
            _ = try MachineResolver().resolveScaleSet(name, include: [], exclude: [])
            return true
        } catch {
            if error.code == .notFound { return false }
            throw Self.armError(error)
        }
    }

    /// `properties.target`: a compute resource id in this subscription (its resource group kept), or a bare name.
    private func targetReference(_ body: CreateBody) throws(PcapCtlError) -> (resourceGroup: String, reference: String) {
        guard body.target.hasPrefix("/") else { return ("local", body.target) }
        let parts = body.target.split(separator: "/").map(String.init)
        let expectedType = body.targetType == .azureVM ? "virtualmachines" : "virtualmachinescalesets"
        guard parts.count == 8, parts[0].lowercased() == "subscriptions", parts[2].lowercased() == "resourcegroups",
            parts[4].lowercased() == "providers", parts[5].lowercased() == "microsoft.compute", parts[6].lowercased() == expectedType
        else {
            let kind = body.targetType == .azureVM ? "virtualMachines" : "virtualMachineScaleSets"
            throw .usage("--target: '\(Validation.printable(body.target))' is not a \(kind) resource id (/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Compute/\(kind)/NAME) for targetType \(body.targetType.rawValue)")
        }
        guard parts[1].lowercased() == environment.subscription.lowercased() else {
            throw .usage("--target: '\(Validation.printable(body.target))' is in subscription '\(Validation.printable(parts[1]))'; this server answers for '\(environment.subscription)'")
        }
        return (parts[3], parts[7])
    }

    /// The BPF expression for the filters, checked by libpcap; nil captures everything.
    private func compile(_ filters: [PacketCaptureFilter]) throws(PcapCtlError) -> String? {
        guard let expression = BPFExpression.make(for: filters) else { return nil }
        do throws(CaptureError) { try BPFValidator.check(expression) } catch {
            throw .usage("--filters: the compiled expression was refused by libpcap: \(error.message)")
        }
        return expression
    }

    private func translating<T>(_ body: () throws(PcapCtlError) -> T) throws(ARMError) -> T {
        do throws(PcapCtlError) { return try body() } catch { throw Self.armError(error) }
    }

    /// Today's ControlPlane errors name CLI flags and carry Azure's code as a text prefix; this turns
    /// them into ARM's code, status and body field.
    static func armError(_ error: PcapCtlError) -> ARMError {
        var message = error.message
        var code: String?
        if let colon = message.firstIndex(of: ":") {
            let word = message[..<colon]
            if !word.isEmpty, word.first!.isUppercase, word.allSatisfy({ $0.isLetter }) {
                code = String(word)
                message = String(message[message.index(after: colon)...].drop { $0 == " " })
            }
        }
        var target: String?
        for (flag, field) in flagFields where message.hasPrefix("\(flag):") || message.hasPrefix("usage error: \(flag)") {
            target = field
            if message.hasPrefix("\(flag):") { message = field + message.dropFirst(flag.count) }
            break
        }
        switch (error.code, code) {
        case (_, "PacketCaptureExistingAlready"?):
            return ARMError(.conflict, "PacketCaptureExistingAlready", message)
        case (.notFound, _):
            return ARMError(.notFound, code ?? "ResourceNotFound", message, target: target)
        case (.usage, _):
            return ARMError(.badRequest, code ?? "InvalidRequestPropertiesInPacketCaptureRequest", message, target: target)
        case (.failure, _) where target != nil || code != nil:
            return ARMError(.badRequest, code ?? "InvalidRequestPropertiesInPacketCaptureRequest", message, target: target)
        case (.failure, _):
            return ARMError(.internalServerError, "InternalServerError", message)
        }
    }

    /// The CLI flag each ControlPlane message starts with, and the body field it stands for.
    private static let flagFields: [(String, String)] = [
        ("--file-path/--storage-account", "properties.storageLocation"),
        ("--storage-account", "properties.storageLocation.storageId"),
        ("--storage-path", "properties.storageLocation.storagePath"),
        ("--file-path", "properties.storageLocation.filePath"),
        ("--capture-size", "properties.bytesToCapturePerPacket"),
        ("--capture-limit", "properties.totalBytesPerSession"),
        ("--time-limit", "properties.timeLimitInSeconds"),
        ("--filters", "properties.filters"),
        ("--include/--exclude", "properties.scope"),
        ("--include", "properties.scope.include"),
        ("--exclude", "properties.scope.exclude"),
        ("--resource-group", "properties.target"),
        ("--target", "properties.target"),
        ("--vm", "properties.target"),
        ("--name", "packetCaptureName"),
    ]
}
