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
    /// nil: not given (the default applies, and a continuous capture accepts it).
    public var captureLimit: UInt64?
    public var timeLimit: UInt64?
    /// Set (true or false) for a continuous capture; `localPath` then replaces `filePath`, and the
    /// settings below (nil: their defaults) replace the session limits.
    public var continuousCapture: Bool?
    public var localPath: String?
    public var fileCount: UInt64?
    public var fileSizeInBytes: UInt64?
    public var sessionTimeLimitInSeconds: UInt64?
    public var filters: [PacketCaptureFilter]
    public var include: [String]
    public var exclude: [String]
    public var interface: String?
    public var bufferSize: UInt64

    public init(
        name: String, location: String, resourceGroup: String, vm: String? = nil, target: String? = nil,
        targetType: TargetType = .azureVM, storageAccount: String? = nil, storagePath: String? = nil, filePath: String? = nil,
        captureSize: UInt64 = CaptureFields.bytesToCapturePerPacket.defaultValue,
        captureLimit: UInt64? = nil, timeLimit: UInt64? = nil,
        continuousCapture: Bool? = nil, localPath: String? = nil,
        fileCount: UInt64? = nil, fileSizeInBytes: UInt64? = nil, sessionTimeLimitInSeconds: UInt64? = nil,
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
        self.continuousCapture = continuousCapture
        self.localPath = localPath
        self.fileCount = fileCount
        self.fileSizeInBytes = fileSizeInBytes
        self.sessionTimeLimitInSeconds = sessionTimeLimitInSeconds
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
        let captureLimit = request.captureLimit ?? CaptureFields.totalBytesPerSession.defaultValue
        let timeLimit = request.timeLimit ?? CaptureFields.timeLimitInSeconds.defaultValue
        try CaptureFields.totalBytesPerSession.check(captureLimit)
        try CaptureFields.timeLimitInSeconds.check(timeLimit)
        try CaptureFields.bufferSize.check(request.bufferSize)
        let captureSettings = try Self.continuousSettings(request)
        let group = request.resourceGroup
        guard Validation.isResourceName(group) else {
            throw .usage("resourceGroup", "'\(Validation.printable(group))' is not a valid resource group name: use 1-80 letters, digits, '_', '.' or '-'")
        }
        if captureLimit > 0 && captureLimit < CaptureFields.minimumSessionBytes {
            throw .usage("totalBytesPerSession", "\(captureLimit) is smaller than a pcap file header (\(CaptureFields.minimumSessionBytes) bytes); use 0 for no limit or at least \(CaptureFields.minimumSessionBytes)")
        }
        if let interface = request.interface {
            guard (1...15).contains(interface.utf8.count), !interface.contains("/"), interface != ".", interface != "..",
                interface.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.generalCategory != .control && $0 != " " })
            else {
                throw .usage("interface", "'\(Validation.printable(interface))' is not a valid interface name: 1-15 characters, no '/' or spaces")
            }
        }

        // Storage: az's rule, then each part. A continuous capture's local file is `localPath`.
        let localPath = captureSettings == nil ? request.filePath ?? request.localPath : request.localPath
        if request.storageAccount == nil && (request.storagePath != nil || localPath == nil) {
            throw PcapCtlError(.usage, code: "PacketCaptureIsMissingStorageIdAndLocalFilePath", parameter: "storageLocation", "Command must have either storage id or local file path specified.",
                commandLineMessage: captureSettings == nil
                    ? "usage error: --storage-account NAME_OR_ID [--storage-path PATH] [--file-path PATH] | --file-path PATH"
                    : "usage error: with --continuous-capture: --storage-account NAME_OR_ID [--storage-path PATH] [--local-path PATH] | --local-path PATH")
        }
        let localRelative = try localPath.map { path throws(PcapCtlError) in
            try Validation.relativeCapturePath(path, capturesRoot: environment.capturesRoot,
                parameter: captureSettings == nil ? "storageLocation.filePath" : "storageLocation.localPath")
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
            filePath: captureSettings == nil ? request.filePath : nil,
            localPath: request.localPath)
        let watcher = "NetworkWatcher_\(request.location)"
        let record = CaptureRecord(
            name: request.name,
            id: "/subscriptions/\(subscription)/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/\(watcher)/packetCaptures/\(request.name)",
            etag: "W/\"\(Self.randomEtag())\"",
            target: targetId,
            targetType: request.targetType,
            scope: MachineScope(include: request.include, exclude: request.exclude),
            bytesToCapturePerPacket: request.captureSize,
            totalBytesPerSession: captureSettings == nil ? captureLimit : 0,
            timeLimitInSeconds: captureSettings == nil ? timeLimit : 0,
            storageLocation: storageLocation,
            filters: request.filters,
            instances: request.targetType == .azureVMSS ? captureInstances.compactMap(\.instanceId) : nil,
            continuousCapture: captureSettings == nil ? nil : request.continuousCapture,
            captureSettings: captureSettings)
        let settings = CaptureSettings(
            location: request.location, interface: request.interface, bufferSize: request.bufferSize,
            bpfExpression: bpfExpression, createdAt: now.iso8601, instances: captureInstances)
        return StoredCapture(record: record, settings: settings)
    }

    /// A continuous capture's settings with their defaults, or nil for a single-file capture; refuses, with
    /// Azure's codes, what does not belong to the kind of capture asked for.
    static func continuousSettings(_ request: CreateRequest) throws(PcapCtlError) -> PacketCaptureSettings? {
        guard request.continuousCapture != nil else {
            // az's network-watcher group may send localPath alone for a single file: it is then the file.
            if request.localPath != nil && request.filePath != nil {
                throw .usage("storageLocation.localPath", "applies only to a continuous capture (continuousCapture true or false); a single-file capture takes filePath, or localPath alone")
            }
            if request.fileCount != nil || request.fileSizeInBytes != nil || request.sessionTimeLimitInSeconds != nil {
                throw .usage("captureSettings", "applies only to a continuous capture: set continuousCapture to true or false")
            }
            return nil
        }
        let invalid = "InvalidRequestPropertiesInPacketCaptureRequest"
        if request.captureLimit != nil {
            throw PcapCtlError(.usage, code: invalid, parameter: "totalBytesPerSession", "TotalBytesPerSession is not supported in packet capture request.")
        }
        if request.timeLimit != nil {
            throw PcapCtlError(.usage, code: invalid, parameter: "timeLimitInSeconds", "TimeLimitInSecond is not supported in packet capture request.")
        }
        if request.filePath != nil {
            throw PcapCtlError(.usage, code: "PacketCaptureIsMissingStorageIdAndLocalPath", parameter: "storageLocation.filePath", "Command must have either storage id or local path specified.")
        }
        let settings = PacketCaptureSettings(
            fileCount: request.fileCount ?? CaptureFields.fileCount.defaultValue,
            fileSizeInBytes: request.fileSizeInBytes ?? CaptureFields.fileSizeInBytes.defaultValue,
            sessionTimeLimitInSeconds: request.sessionTimeLimitInSeconds ?? CaptureFields.sessionTimeLimitInSeconds.defaultValue)
        try CaptureFields.fileCount.check(settings.fileCount)
        try CaptureFields.fileSizeInBytes.check(settings.fileSizeInBytes)
        try CaptureFields.sessionTimeLimitInSeconds.check(settings.sessionTimeLimitInSeconds)
        let minimum = CaptureFields.minimumFileSizeInBytes
        if settings.fileSizeInBytes > 0 && settings.fileSizeInBytes < minimum {
            throw .usage(CaptureFields.fileSizeInBytes.parameter, "Invalid value: '\(settings.fileSizeInBytes)' is less than \(minimum), the smallest file pcapctl rotates; 0 writes one file of any size")
        }
        return settings
    }

    /// Refuses a continuous capture whose files could not all fit where they go, saying how much it needs.
    /// On each file system the files of every instance are counted once (delivery links them, so a
    /// destination on the state directory's file system, or both destinations on one, share them); a file
    /// system holding only the state directory holds each instance's open file. Unbounded rings (a count
    /// or size of 0) cannot be measured and are not refused.
    public func checkSpace(_ capture: StoredCapture) throws(PcapCtlError) {
        guard let settings = capture.record.captureSettings, settings.fileCount > 0, settings.fileSizeInBytes > 0 else { return }
        let instances = UInt64(capture.settings.instances.count)
        let ring = instances * settings.fileCount * settings.fileSizeInBytes
        var places: [(path: String, needs: UInt64)] = [(environment.home, instances * settings.fileSizeInBytes)]
        if capture.settings.instances.contains(where: { $0.localFile != nil }) { places.append((environment.capturesRoot, ring)) }
        if capture.settings.instances.contains(where: { $0.storageFile != nil }) { places.append((environment.storageRoot, ring)) }
        var byDevice: [UInt64: (paths: [String], needs: UInt64, free: UInt64)] = [:]
        for place in places {
            var info = stat()
            var space = statvfs()
            guard stat(place.path, &info) == 0, statvfs(place.path, &space) == 0 else { continue }
            let free = UInt64(space.f_bavail) * UInt64(space.f_frsize)
            let device = UInt64(info.st_dev)
            var entry = byDevice[device] ?? ([], 0, free)
            entry.paths.append(place.path)
            entry.needs = max(entry.needs, place.needs)
            byDevice[device] = entry
        }
        for entry in byDevice.values.sorted(by: { $0.paths[0] < $1.paths[0] }) where entry.needs > entry.free {
            let files = "\(instances * settings.fileCount) file\(instances * settings.fileCount == 1 ? "" : "s") of \(settings.fileSizeInBytes) bytes"
            throw .usage("captureSettings", "the ring needs \(entry.needs) bytes (\(files)) on the file system of \(entry.paths.joined(separator: " and ")), which has \(entry.free) bytes free; lower fileCount or fileSizeInBytes")
        }
    }

    /// Proves every destination can be written now (see `ConfinedFiles.probeWritable`), so a capture that
    /// could never be delivered is refused before it starts, with Azure's LocalFileFailed or StorageFailed.
    public func checkDestinations(_ capture: StoredCapture) throws(PcapCtlError) {
        let localParameter = capture.record.captureSettings == nil ? "storageLocation.filePath" : "storageLocation.localPath"
        for instance in capture.settings.instances {
            if let local = instance.localFile {
                do { try ConfinedFiles.probeWritable(root: environment.capturesRoot, relativePath: local) } catch {
                    throw PcapCtlError(.unprocessable, code: CaptureErrorKind.localFileFailed.rawValue, parameter: localParameter, "\(error)")
                }
            }
            if let blob = instance.storageFile {
                do { try ConfinedFiles.probeWritable(root: environment.storageRoot, relativePath: blob) } catch {
                    throw PcapCtlError(.unprocessable, code: CaptureErrorKind.storageFailed.rawValue, parameter: "storageLocation.storageId", "\(error)")
                }
            }
        }
        try checkSpace(capture)
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

    /// A UUID-shaped etag (8-4-4-4-12 hexadecimal digits) of the store's random token.
    static func randomEtag() -> String {
        let hex = Array(CaptureStore.randomToken())
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
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
