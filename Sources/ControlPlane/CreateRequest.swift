import SystemCalls
import Glibc
import PacketFilters

/// A create as the user asked for it, flag by flag, before it is resolved against the host.
public struct CreateRequest: Sendable {
    public var name: String
    public var location: String
    public var resourceGroup: String
    public var vm: String?
    public var target: String?
    public var targetType: TargetType
    public var storageAccount: String?
    public var storagePath: String?
    public var filePath: String?
    public var captureSize: UInt64
    public var captureLimit: UInt64
    public var timeLimit: UInt64
    public var filters: [PacketCaptureFilter]
    public var include: [String]
    public var exclude: [String]
    public var interface: String?
    public var bufferSize: UInt64

    public init(
        name: String, location: String, resourceGroup: String, vm: String? = nil, target: String? = nil,
        targetType: TargetType = .azureVM, storageAccount: String? = nil, storagePath: String? = nil, filePath: String? = nil,
        captureSize: UInt64 = CaptureFields.bytesToCapturePerPacket.defaultValue,
        captureLimit: UInt64 = CaptureFields.totalBytesPerSession.defaultValue,
        timeLimit: UInt64 = CaptureFields.timeLimitInSeconds.defaultValue,
        filters: [PacketCaptureFilter] = [], include: [String] = [], exclude: [String] = [],
        interface: String? = nil, bufferSize: UInt64 = CaptureFields.bufferSize.defaultValue
    ) {
        self.name = name
        self.location = location
        self.resourceGroup = resourceGroup
        self.vm = vm
        self.target = target
        self.targetType = targetType
        self.storageAccount = storageAccount
        self.storagePath = storagePath
        self.filePath = filePath
        self.captureSize = captureSize
        self.captureLimit = captureLimit
        self.timeLimit = timeLimit
        self.filters = filters
        self.include = include
        self.exclude = exclude
        self.interface = interface
        self.bufferSize = bufferSize
    }
}

/// Checks a create request and turns it into the stored resource: every usage rule is applied here,
/// before anything is written.
public struct CreatePlanner: Sendable {
    public var environment: PcapCtlEnvironment
    /// Looks up namespaces and processes; replaceable so the rules can be tested without root.
    public var machines: MachineResolver

    public init(environment: PcapCtlEnvironment, machines: MachineResolver = MachineResolver()) {
        self.environment = environment
        self.machines = machines
    }

    /// `bpfExpression` is what the filters compiled to (nil captures everything).
    public func plan(_ request: CreateRequest, bpfExpression: String? = nil, now: Timestamp = .now()) throws(PcapCtlError) -> StoredCapture {
        try Validation.checkName(request.name)
        try CaptureFields.bytesToCapturePerPacket.check(request.captureSize)
        let minimumSize = CaptureFields.minimumBytesToCapturePerPacket
        guard request.captureSize == 0 || request.captureSize >= minimumSize else {
            throw .usage("bytesToCapturePerPacket", "Invalid value: '\(request.captureSize)' is less than \(minimumSize), the fewest bytes libpcap keeps of a packet on the any device; 0 captures whole packets")
        }
        try CaptureFields.totalBytesPerSession.check(request.captureLimit)
        try CaptureFields.timeLimitInSeconds.check(request.timeLimit)
        try CaptureFields.bufferSize.check(request.bufferSize)
        let group = request.resourceGroup
        guard Validation.isResourceName(group) else {
            throw .usage("resourceGroup", "'\(Validation.printable(group))' is not a valid resource group name: use 1-80 letters, digits, '_', '.' or '-'")
        }
        if request.captureLimit > 0 && request.captureLimit < CaptureFields.minimumSessionBytes {
            throw .usage("totalBytesPerSession", "\(request.captureLimit) is smaller than a pcap file header (\(CaptureFields.minimumSessionBytes) bytes); use 0 for no limit or at least \(CaptureFields.minimumSessionBytes)")
        }
        if let interface = request.interface {
            guard (1...15).contains(interface.utf8.count), !interface.contains("/"), interface != ".", interface != "..",
                interface.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.generalCategory != .control && $0 != " " })
            else {
                throw .usage("interface", "'\(Validation.printable(interface))' is not a valid interface name: 1-15 characters, no '/' or spaces")
            }
        }

        // Storage: az's rule, then each part.
        if request.storageAccount == nil && (request.storagePath != nil || request.filePath == nil) {
            throw PcapCtlError(.usage, code: "PacketCaptureIsMissingStorageIdAndLocalFilePath", parameter: "storageLocation", "Command must have either storage id or local file path specified.",
                commandLineMessage: "usage error: --storage-account NAME_OR_ID [--storage-path PATH] [--file-path PATH] | --file-path PATH")
        }
        let localRelative = try request.filePath.map { path throws(PcapCtlError) in
            try Validation.relativeCapturePath(path, capturesRoot: environment.capturesRoot)
        }
        let account = try request.storageAccount.map { value throws(PcapCtlError) in try Self.storageAccountName(value) }
        let container = try request.storagePath.map { value throws(PcapCtlError) in try Self.containerName(value, account: account!) } ?? StorageLayout.defaultContainer

        // Target: a VM (a network namespace, or the host) or a scale set (namespaces NAME_0, NAME_1, ...).
        let subscription = environment.subscription
        let targetId: String
        var instances: [(id: String?, machine: Machine, segment: String)] = []
        switch request.targetType {
        case .azureVM:
            guard request.include.isEmpty && request.exclude.isEmpty else {
                throw .usage("scope", "scale set instances apply only to a target of type AzureVMSS", commandLineMessage: "--include/--exclude: scale set instances apply only with --target-type AzureVMSS")
            }
            let (vmName, machine) = try machines.resolveVM(request.vm ?? request.target)
            targetId = "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Compute/virtualMachines/\(vmName)"
            instances = [(nil, machine, "virtualmachines/\(vmName)")]
        case .azureVMSS:
            guard let target = request.target else {
                throw .usage("target", "required when the target type is AzureVMSS (the scale set's name or id)", commandLineMessage: "--target: required when --target-type is AzureVMSS (the scale set's name or id)")
            }
            guard request.include.isEmpty || request.exclude.isEmpty else {
                throw .usage("scope", "Packet Capture Scope can either have Include Scope or Exclude Scope, but not both")
            }
            let scaleSet = MachineResolver.lastSegment(of: target)
            guard Validation.isResourceName(scaleSet) else {
                throw .usage("target", "'\(Validation.printable(target))' is not a valid scale set name or id")
            }
            targetId = "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Compute/virtualMachineScaleSets/\(scaleSet)"
            let include = try request.include.map { id throws(PcapCtlError) in try Self.instanceId(id, parameter: "scope.include") }
            let exclude = try request.exclude.map { id throws(PcapCtlError) in try Self.instanceId(id, parameter: "scope.exclude") }
            for (id, namespace) in try machines.resolveScaleSet(scaleSet, include: include, exclude: exclude) {
                instances.append((id, .namespace(namespace), "virtualmachinescalesets/\(scaleSet)/virtualmachines/\(id)"))
            }
        }

        var captureInstances: [CaptureInstance] = []
        for instance in instances {
            let localFile = localRelative.map { relative in
                instance.id.map { Self.suffixed(relative, "_\($0)") } ?? relative
            }
            let storageFile = account.map { account in
                StorageLayout.relativePath(
                    account: account, container: container, subscription: subscription, resourceGroup: group,
                    machineSegment: instance.segment, created: now)
            }
            captureInstances.append(CaptureInstance(
                key: instance.id ?? "vm", instanceId: instance.id, machine: instance.machine,
                localFile: localFile, storageFile: storageFile))
        }

        let storageLocation = StorageLocation(
            storageId: account.map { "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Storage/storageAccounts/\($0)" },
            storagePath: captureInstances.count == 1
                ? captureInstances[0].storageFile.map { "\(environment.storageRoot)/\($0)" }
                : account.map { "\(environment.storageRoot)/\($0)/\(container)" },
            filePath: request.filePath)
        let watcher = "NetworkWatcher_\(request.location)"
        let record = CaptureRecord(
            name: request.name,
            id: "/subscriptions/\(subscription)/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/\(watcher)/packetCaptures/\(request.name)",
            etag: "W/\"\(Self.randomEtag())\"",
            target: targetId,
            targetType: request.targetType,
            scope: MachineScope(include: request.include, exclude: request.exclude),
            bytesToCapturePerPacket: request.captureSize,
            totalBytesPerSession: request.captureLimit,
            timeLimitInSeconds: request.timeLimit,
            storageLocation: storageLocation,
            filters: request.filters,
            instances: request.targetType == .azureVMSS ? captureInstances.compactMap(\.instanceId) : nil)
        let settings = CaptureSettings(
            location: request.location, interface: request.interface, bufferSize: request.bufferSize,
            bpfExpression: bpfExpression, createdAt: now.iso8601, instances: captureInstances)
        return StoredCapture(record: record, settings: settings)
    }

    /// Proves every destination can be written now (see `ConfinedFiles.probeWritable`), so a capture that
    /// could never be delivered is refused before it starts, with Azure's LocalFileFailed or StorageFailed.
    public func checkDestinations(_ capture: StoredCapture) throws(PcapCtlError) {
        for instance in capture.settings.instances {
            if let local = instance.localFile {
                do { try ConfinedFiles.probeWritable(root: environment.capturesRoot, relativePath: local) } catch {
                    throw PcapCtlError(.unprocessable, code: CaptureErrorKind.localFileFailed.rawValue, parameter: "storageLocation.filePath", "\(error)")
                }
            }
            if let blob = instance.storageFile {
                do { try ConfinedFiles.probeWritable(root: environment.storageRoot, relativePath: blob) } catch {
                    throw PcapCtlError(.unprocessable, code: CaptureErrorKind.storageFailed.rawValue, parameter: "storageLocation.storageId", "\(error)")
                }
            }
        }
    }

    /// Storage account names are 3-24 lower-case letters and digits; an id's last segment is its name.
    static func storageAccountName(_ value: String) throws(PcapCtlError) -> String {
        let name = MachineResolver.lastSegment(of: value)
        guard (3...24).contains(name.utf8.count), name.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw .usage("storageLocation.storageId", "'\(Validation.printable(value))' is not a valid storage account name or id: names are 3-24 lower-case letters and digits")
        }
        return name
    }

    /// `--storage-path` names the blob container: a bare name, or Azure's URL of it.
    static func containerName(_ value: String, account: String) throws(PcapCtlError) -> String {
        var container = value
        let prefix = "https://\(account).blob.core.windows.net/"
        if value.hasPrefix("https://") {
            guard value.hasPrefix(prefix) else {
                throw .usage("storageLocation.storagePath", "'\(Validation.printable(value))' must be a container of the storage account '\(account)' (\(prefix)CONTAINER)")
            }
            container = String(value.dropFirst(prefix.count))
            while container.hasSuffix("/") { container.removeLast() }
        }
        let bytes = Array(container.utf8)
        guard (3...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-"),
            bytes.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") })
        else {
            throw .usage("storageLocation.storagePath", "'\(Validation.printable(value))' is not a valid container: 3-63 lower-case letters, digits and '-', or https://\(account).blob.core.windows.net/CONTAINER")
        }
        return container
    }

    /// Instance ids are `0`, `1`, ... or a full instance resource id ending in `/virtualMachines/N`.
    static func instanceId(_ value: String, parameter: String) throws(PcapCtlError) -> String {
        let id = value.split(separator: "/").last.map(String.init) ?? value
        guard (1...9).contains(id.count), id.allSatisfy(\.isASCII), id.allSatisfy(\.isNumber) else {
            throw .usage(parameter, "'\(Validation.printable(value))' is not a scale set instance id (0, 1, ... or .../virtualMachines/N)")
        }
        return String(Int(id)!)
    }

    static func suffixed(_ path: String, _ suffix: String) -> String {
        String(path.dropLast(4)) + suffix + ".cap"
    }

    static func randomEtag() -> String {
        let hex = (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}

/// Finds what `--vm` and `--target` name on this host: network namespaces stand in for VMs.
public struct MachineResolver: Sendable {
    /// Where `ip netns` keeps named namespaces.
    public var namespaceDirectory: String
    public var hostName: String

    /// Where `ip netns` keeps named namespaces.
    public static let namedNamespaceDirectory = "/run/netns"

    public init(namespaceDirectory: String = namedNamespaceDirectory, hostName: String = MachineResolver.currentHostName()) {
        self.namespaceDirectory = namespaceDirectory
        self.hostName = hostName
    }

    public static func currentHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The last segment of a resource id (`.../virtualMachines/vm1` → `vm1`), or the value itself.
    public static func lastSegment(of value: String) -> String {
        guard value.hasPrefix("/subscriptions/") else { return value }
        return value.split(separator: "/").last.map(String.init) ?? value
    }

    /// `--vm`: the host (omitted, `localhost` or the host name), `pid:N`, or a named network namespace.
    public func resolveVM(_ value: String?) throws(PcapCtlError) -> (name: String, machine: Machine) {
        guard let value else { return (hostName, .host) }
        let name = Self.lastSegment(of: value)
        if name == "localhost" || name == hostName { return (name, .host) }
        if name.hasPrefix("pid:") {
            guard let pid = Int32(name.dropFirst(4)), pid > 0 else {
                throw .usage("target", "'\(Validation.printable(value))' is not a valid process target: use pid:N with N a process id")
            }
            guard FileSystem.exists("/proc/\(pid)/ns/net") else {
                throw .notFound(parameter: "target", "no process \(pid) on this host, so no network namespace to capture in")
            }
            return (name, .process(pid))
        }
        guard Validation.isResourceName(name) else {
            throw .usage("target", "'\(Validation.printable(value))' is not a valid VM name: use a network namespace name (letters, digits, '_', '.', '-'), pid:N, or the host name")
        }
        guard FileSystem.exists("\(namespaceDirectory)/\(name)") else {
            throw .notFound(parameter: "target", "VM '\(name)' not found: no network namespace named '\(name)' (see 'ip netns list')")
        }
        return (name, .namespace(name))
    }

    /// A scale set's instances: the namespaces `NAME_0`, `NAME_1`, ..., narrowed by include or exclude.
    public func resolveScaleSet(_ name: String, include: [String], exclude: [String]) throws(PcapCtlError) -> [(id: String, namespace: String)] {
        let entries = (try? FileSystem.listDirectory(namespaceDirectory)) ?? []
        var found: [(id: String, namespace: String)] = []
        for entry in entries where entry.hasPrefix("\(name)_") {
            let suffix = entry.dropFirst(name.count + 1)
            if !suffix.isEmpty, suffix.count <= 9, suffix.allSatisfy({ $0.isASCII && $0.isNumber }), String(Int(suffix)!) == suffix {
                found.append((String(suffix), entry))
            }
        }
        found.sort { Int($0.id)! < Int($1.id)! }
        guard !found.isEmpty else {
            throw .notFound(parameter: "target", "scale set '\(name)' not found: no network namespaces named \(name)_0, \(name)_1, ...")
        }
        for id in include + exclude where !found.contains(where: { $0.id == id }) {
            throw .notFound("scale set '\(name)' has no instance \(id) (no network namespace \(name)_\(id))")
        }
        if !include.isEmpty { found = found.filter { include.contains($0.id) } }
        found = found.filter { !exclude.contains($0.id) }
        guard !found.isEmpty else { throw .usage("scope.exclude", "excludes every instance of scale set '\(name)'") }
        return found
    }
}
