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

    public init(storageId: String? = nil, storagePath: String? = nil, filePath: String? = nil) {
        self.storageId = storageId
        self.storagePath = storagePath
        self.filePath = filePath
    }

    /// az prints unset members as null rather than leaving them out; scripts may test for them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(storageId, forKey: .storageId)
        try container.encode(storagePath, forKey: .storagePath)
        try container.encode(filePath, forKey: .filePath)
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

/// The file the store keeps per capture. `version` lets a later pcapctl read or refuse an older layout.
public struct StoredCapture: Codable, Equatable, Sendable {
    public static let currentVersion = 1
    public var version: Int
    public var resource: PacketCaptureResource
    public var settings: CaptureSettings

    public init(resource: PacketCaptureResource, settings: CaptureSettings) {
        self.version = Self.currentVersion
        self.resource = resource
        self.settings = settings
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

    public init(state: CaptureState) {
        self.state = state
        self.errors = []
        self.counters = CaptureCounters()
        self.files = []
    }

    public var isFinal: Bool { state == .stopped || state == .error }
}
