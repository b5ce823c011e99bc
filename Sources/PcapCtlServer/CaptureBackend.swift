import ARMRequests
import CaptureAgent
import CaptureOperations
import ControlPlane
import HTTPTypes
import SystemCalls

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
        let request = try body.request(name: name, location: location, subscription: subscription)
        return try translating { () throws(PcapCtlError) in try operations.create(request) }
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

    /// The VMs a capture can target, as the lookups above accept them: the host, then its named namespaces.
    func virtualMachineNames() -> [String] {
        let machines = operations.planner.machines
        return [machines.hostName] + namedNamespaces().filter { (try? machines.resolveVM($0)) != nil }
    }

    /// The scale sets on this host: each prefix `NAME` of a namespace `NAME_ID` that the scale-set lookup
    /// resolves (it holds the rule for instance ids).
    func scaleSetNames() -> [String] {
        let machines = operations.planner.machines
        let candidates = Set(namedNamespaces().compactMap { entry in entry.lastIndex(of: "_").map { String(entry[..<$0]) } })
        return candidates.filter { !$0.isEmpty && (try? machines.resolveScaleSet($0, include: [], exclude: [])) != nil }.sorted()
    }

    private func namedNamespaces() -> [String] {
        ((try? FileSystem.listDirectory(operations.planner.machines.namespaceDirectory)) ?? []).sorted()
    }

    private func exists(_ lookup: () throws(PcapCtlError) -> Void) throws(ARMError) -> Bool {
        do throws(PcapCtlError) {
            try lookup()
            return true
        } catch {
            if error.kind == .notFound { return false }
            throw ARMError(error)
        }
    }

    private func translating<T>(_ body: () throws(PcapCtlError) -> T) throws(ARMError) -> T {
        do throws(PcapCtlError) { return try body() } catch { throw ARMError(error) }
    }
}
