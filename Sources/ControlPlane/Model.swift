import PacketFilters

/// Azure's target types.
public enum TargetType: String, Codable, Sendable, CaseIterable {
    case azureVM = "AzureVM"
    case azureVMSS = "AzureVMSS"
}

/// Where the finished capture file goes, as az prints it: a storage account, a local file, or both.
public struct StorageLocation: Codable, Equatable, Sendable {
    public var storageId: String?
    public var storagePath: String?
    public var filePath: String?
    /// A continuous capture's local destination, in place of `filePath`: the stem its files are named after.
    public var localPath: String?

    public init(storageId: String? = nil, storagePath: String? = nil, filePath: String? = nil, localPath: String? = nil) {
        self.storageId = storageId
        self.storagePath = storagePath
        self.filePath = filePath
        self.localPath = localPath
    }

    /// az prints unset members as null rather than leaving them out; scripts may test for them. `localPath`,
    /// which the 2022 api that `az network watcher` speaks does not know, appears only when set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(storageId, forKey: .storageId)
        try container.encode(storagePath, forKey: .storagePath)
        try container.encode(filePath, forKey: .filePath)
        try container.encodeIfPresent(localPath, forKey: .localPath)
    }
}

/// Azure's PacketCaptureSettings: how a continuous capture splits into files (ranges and defaults in
/// `CaptureFields`).
public struct PacketCaptureSettings: Codable, Equatable, Sendable {
    public var fileCount: UInt64
    public var fileSizeInBytes: UInt64
    public var sessionTimeLimitInSeconds: UInt64

    public init(fileCount: UInt64, fileSizeInBytes: UInt64, sessionTimeLimitInSeconds: UInt64) {
        self.fileCount = fileCount
        self.fileSizeInBytes = fileSizeInBytes
        self.sessionTimeLimitInSeconds = sessionTimeLimitInSeconds
    }
}

/// The scale set instances a capture covers; both empty means all.
public struct MachineScope: Codable, Equatable, Sendable {
    public var include: [String]
    public var exclude: [String]

    public init(include: [String] = [], exclude: [String] = []) {
        self.include = include
        self.exclude = exclude
    }
}

/// The packet capture resource exactly as az prints a PacketCaptureResult (flattened, keys sorted on output).
public struct PacketCaptureResource: Codable, Equatable, Sendable {
    public var name: String
    public var id: String
    public var etag: String
    public var provisioningState: String
    public var target: String
    public var targetType: TargetType
    public var scope: MachineScope
    public var bytesToCapturePerPacket: UInt64
    public var totalBytesPerSession: UInt64
    public var timeLimitInSeconds: UInt64
    public var storageLocation: StorageLocation
    public var filters: [PacketCaptureFilter]
    public var resourceGroup: String
    /// For a scale set, the instance ids resolved when the capture started (pcapctl's addition; absent for a VM).
    public var instances: [String]?
    /// Set (true or false) for a continuous capture, absent otherwise, as Azure's nullable boolean.
    public var continuousCapture: Bool? = nil
    public var captureSettings: PacketCaptureSettings? = nil

    /// Absent members are left out. A continuous capture has no session byte or time limit of its own
    /// (Azure refuses both in its request), so it prints neither; `captureSettings` holds its limits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(id, forKey: .id)
        try container.encode(etag, forKey: .etag)
        try container.encode(provisioningState, forKey: .provisioningState)
        try container.encode(target, forKey: .target)
        try container.encode(targetType, forKey: .targetType)
        try container.encode(scope, forKey: .scope)
        try container.encode(bytesToCapturePerPacket, forKey: .bytesToCapturePerPacket)
        if continuousCapture == nil {
            try container.encode(totalBytesPerSession, forKey: .totalBytesPerSession)
            try container.encode(timeLimitInSeconds, forKey: .timeLimitInSeconds)
        }
        try container.encode(storageLocation, forKey: .storageLocation)
        try container.encode(filters, forKey: .filters)
        try container.encode(resourceGroup, forKey: .resourceGroup)
        try container.encodeIfPresent(instances, forKey: .instances)
        try container.encodeIfPresent(continuousCapture, forKey: .continuousCapture)
        try container.encodeIfPresent(captureSettings, forKey: .captureSettings)
    }
}

/// Which network namespace a capture runs in: Linux's stand-in for a VM.
public enum Machine: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The host's own network namespace.
    case host
    /// A named namespace, as `ip netns` names them (/run/netns/NAME).
    case namespace(String)
    /// The network namespace of a running process (/proc/PID/ns/net), e.g. a container.
    case process(Int32)

    public var description: String {
        switch self {
        case .host: "the host"
        case .namespace(let name): "network namespace '\(name)'"
        case .process(let pid): "the network namespace of process \(pid)"
        }
    }

    /// The file whose descriptor setns(2) takes; nil for the host.
    public var namespacePath: String? {
        switch self {
        case .host: nil
        case .namespace(let name): "\(MachineResolver.namedNamespaceDirectory)/\(name)"
        case .process(let pid): "/proc/\(pid)/ns/net"
        }
    }
}

/// One capture agent's share of a resource: the VM itself, or one scale set instance.
public struct CaptureInstance: Codable, Equatable, Sendable {
    /// The directory name under the capture's state directory: `vm`, or the instance id.
    public var key: String
    /// The scale set instance id (`0`, `1`, ...); nil for a VM.
    public var instanceId: String?
    public var machine: Machine
    /// Destination below the captures root, when the resource has a file path.
    public var localFile: String?
    /// Destination below the storage root, when the resource has a storage account.
    public var storageFile: String?

    public init(key: String, instanceId: String?, machine: Machine, localFile: String?, storageFile: String?) {
        self.key = key
        self.instanceId = instanceId
        self.machine = machine
        self.localFile = localFile
        self.storageFile = storageFile
    }
}

/// What pcapctl keeps beside the az-shaped resource: how and where to capture.
public struct CaptureSettings: Codable, Equatable, Sendable {
    public var location: String
    public var interface: String?
    /// Kernel ring buffer size in bytes (pcap_set_buffer_size).
    public var bufferSize: UInt64
    /// The BPF expression compiled from the filters; nil captures everything.
    public var bpfExpression: String?
    /// When the resource was created (ISO 8601, UTC).
    public var createdAt: String
    public var instances: [CaptureInstance]
}

/// What the store keeps of a capture's resource: pcapctl's own stable record, apart from the shape it prints
/// (`PacketCaptureResource`, which follows Azure and may change). Names keep the case they were created with.
public struct CaptureRecord: Codable, Equatable, Sendable {
    public var name: String
    public var id: String
    public var etag: String
    public var target: String
    public var targetType: TargetType
    public var scope: MachineScope
    public var bytesToCapturePerPacket: UInt64
    public var totalBytesPerSession: UInt64
    public var timeLimitInSeconds: UInt64
    public var storageLocation: StorageLocation
    public var filters: [PacketCaptureFilter]
    /// For a scale set, the instance ids resolved when the capture started.
    public var instances: [String]?
    /// Set for a continuous capture (absent in records written before continuous capture existed).
    public var continuousCapture: Bool? = nil
    /// A continuous capture's files: present exactly when `continuousCapture` is.
    public var captureSettings: PacketCaptureSettings? = nil
}

/// One stored capture: its record and how to capture. Stored as format 2 (`CaptureStore` reads format 1,
/// the printed resource that pcapctl 0.1 stored, and upgrades it in place).
public struct StoredCapture: Equatable, Sendable {
    public static let formatVersion = 2
    public var record: CaptureRecord
    public var settings: CaptureSettings

    public init(record: CaptureRecord, settings: CaptureSettings) {
        self.record = record
        self.settings = settings
    }

    public var name: String { record.name }
    public var location: String { settings.location }

    /// The resource as Azure shows it; `provisioningState` comes from the instances' statuses.
    public func resource(provisioningState: String = ProvisioningState.succeeded) -> PacketCaptureResource {
        PacketCaptureResource(
            name: record.name, id: record.id, etag: record.etag, provisioningState: provisioningState,
            target: record.target, targetType: record.targetType, scope: record.scope,
            bytesToCapturePerPacket: record.bytesToCapturePerPacket, totalBytesPerSession: record.totalBytesPerSession,
            timeLimitInSeconds: record.timeLimitInSeconds, storageLocation: record.storageLocation,
            filters: record.filters, resourceGroup: ResourceID.resourceGroup(of: record.id) ?? "NetworkWatcherRG",
            instances: record.instances, continuousCapture: record.continuousCapture, captureSettings: record.captureSettings)
    }
}

/// ARM's provisioning states that a capture can show.
public enum ProvisioningState {
    public static let succeeded = "Succeeded"
    /// Every instance failed before it captured anything.
    public static let failed = "Failed"
}

/// Parts of ARM resource ids.
public enum ResourceID {
    /// The resource group segment of an id (`/subscriptions/S/resourceGroups/G/...` → `G`), as az derives it.
    public static func resourceGroup(of id: String) -> String? {
        let segments = id.split(separator: "/")
        guard let index = segments.firstIndex(where: { $0.lowercased() == "resourcegroups" }), index + 1 < segments.count else { return nil }
        return String(segments[index + 1])
    }
}

/// Azure's PcStatus values.
public enum CaptureState: String, Codable, Sendable {
    case notStarted = "NotStarted"
    case running = "Running"
    case stopped = "Stopped"
    case error = "Error"
    case unknown = "Unknown"
}

/// Azure's PcError values.
public enum CaptureErrorKind: String, Codable, Sendable {
    case internalError = "InternalError"
    case agentStopped = "AgentStopped"
    case captureFailed = "CaptureFailed"
    case localFileFailed = "LocalFileFailed"
    case storageFailed = "StorageFailed"
}

/// Why a capture stopped. Azure documents only `TimeExceeded`; the others are pcapctl's, documented in
/// docs/reference.md. A capture that failed has the failure's PcError name as its reason.
public enum StopReason {
    public static let timeExceeded = "TimeExceeded"
    public static let totalBytesExceeded = "TotalBytesExceeded"
    public static let stopRequested = "StopRequested"
    public static let deleted = "Deleted"
    /// A continuous capture with `continuousCapture` false filled its `fileCount` files.
    public static let fileCountExceeded = "FileCountExceeded"
}

/// The counters libpcap and the writer keep, as show-status prints them.
public struct CaptureCounters: Codable, Equatable, Sendable {
    /// Packets written to the capture file.
    public var packetsCaptured: UInt64 = 0
    /// Packets that passed the filter in the kernel (pcap_stats ps_recv).
    public var packetsReceived: UInt64 = 0
    /// Packets the kernel dropped for lack of ring buffer space (ps_drop).
    public var packetsDropped: UInt64 = 0
    /// Packets the interface dropped (ps_ifdrop; only known for a promiscuous capture on a real interface).
    public var packetsDroppedByInterface: UInt64 = 0
    /// Bytes in the capture file, headers included.
    public var bytesWritten: UInt64 = 0

    public init() {}

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.packetsCaptured += rhs.packetsCaptured
        sum.packetsReceived += rhs.packetsReceived
        sum.packetsDropped += rhs.packetsDropped
        sum.packetsDroppedByInterface += rhs.packetsDroppedByInterface
        sum.bytesWritten += rhs.bytesWritten
        return sum
    }
}

/// One instance's state, written by its agent (or by whoever finds the agent dead).
public struct InstanceStatus: Codable, Equatable, Sendable {
    public static let currentFormatVersion = 2
    /// Read before anything else (absent in format 1, pcapctl 0.1's), so a newer file is refused by name.
    public var formatVersion: Int?
    public var state: CaptureState
    public var captureStartTime: String?
    public var captureStopTime: String?
    public var stopReason: String?
    public var errors: [CaptureErrorKind]
    public var errorMessage: String?
    public var counters: CaptureCounters
    public var agentPid: Int32?
    /// Final places the file reached.
    public var files: [String]
    /// What identifies each delivered file's bytes, so `download` serves only the session's own.
    public var deliveredFiles: [DeliveredFile]?
    /// Set by the spawner while the instance is NotStarted; the agent must present it to run (and clears it).
    public var launchToken: String?
    /// A continuous capture's files in its destinations now, oldest first (the open one is not among them).
    public var segments: [CaptureSegment]?
    /// What a ring deleted to keep within its file count.
    public var rotatedOut: RotatedOut?

    public init(state: CaptureState) {
        self.state = state
        self.errors = []
        self.counters = CaptureCounters()
        self.files = []
    }

    public var isFinal: Bool { state == .stopped || state == .error }
}

/// A delivered capture file as it was when delivery finished: a later replacement or change is detected
/// by any of these differing (a rename over it changes the inode, an append the size, an edit the times).
public struct DeliveredFile: Codable, Equatable, Sendable {
    public var path: String
    public var device: UInt64
    public var inode: UInt64
    public var size: UInt64
    /// Modification and status-change times in nanoseconds since the epoch.
    public var modified: Int64
    public var changed: Int64

    public init(path: String, device: UInt64, inode: UInt64, size: UInt64, modified: Int64, changed: Int64) {
        self.path = path
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }
}

/// One closed file of a continuous capture, as delivered.
public struct CaptureSegment: Codable, Equatable, Sendable {
    /// 1, 2, ... in the order the files were begun.
    public var number: Int
    /// The file's name in its destinations (`{stem}_{number}_{start}.cap`; see `SegmentNames`).
    public var name: String
    /// ISO 8601 UTC stamps of its first and last packets; nil when it holds none.
    public var firstPacketTime: String?
    public var lastPacketTime: String?
    public var packets: UInt64
    /// Its size, headers included.
    public var bytes: UInt64
    /// Its copy in the local path's directory and in the storage account, as delivery left them.
    public var local: DeliveredFile?
    public var storage: DeliveredFile?
    /// The state directory's copy, kept while a destination could not take it (the only copy there).
    public var kept: String?

    public init(number: Int, name: String, firstPacketTime: String?, lastPacketTime: String?, packets: UInt64, bytes: UInt64) {
        self.number = number
        self.name = name
        self.firstPacketTime = firstPacketTime
        self.lastPacketTime = lastPacketTime
        self.packets = packets
        self.bytes = bytes
    }

    public var delivered: [DeliveredFile] { [local, storage].compactMap { $0 } }
}

/// The files a ring deleted, and the packets and bytes they held.
public struct RotatedOut: Codable, Equatable, Sendable {
    public var files: UInt64 = 0
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0

    public init() {}
}
