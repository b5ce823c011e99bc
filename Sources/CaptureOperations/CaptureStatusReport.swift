import ControlPlane

/// The status of a whole capture as show-status prints it: Azure's fields, then pcapctl's counters, and
/// for a scale set each instance's own.
///
/// A scale set's aggregate: Running while any instance runs (NotStarted while any is starting and none
/// runs); once every instance has stopped, Error if any failed, else Stopped. `stopReason` stays null until
/// every instance has stopped. Every instance's errors are listed in `packetCaptureError` (each kind once)
/// and in its own entry of `instances`.
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
    /// A continuous capture's closed files in its destinations, oldest first (a scale set's with their
    /// instance), and what its ring deleted; absent for a single-file capture.
    public var captureFiles: [FileReport]? = nil
    public var filesRotatedOut: UInt64? = nil
    public var packetsRotatedOut: UInt64? = nil
    public var bytesRotatedOut: UInt64? = nil

    /// One file of a continuous capture, and where each destination has it.
    public struct FileReport: Encodable, Sendable {
        public var name: String
        public var instanceId: String?
        public var firstPacketTime: String?
        public var lastPacketTime: String?
        public var packets: UInt64
        public var bytes: UInt64
        /// Its path beside the capture's `localPath`, and in the storage account; null where it has none.
        public var localPath: String?
        public var storagePath: String?
        /// The state directory's copy, kept while a destination could not take the file.
        public var keptAt: String?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encodeIfPresent(instanceId, forKey: .instanceId)
            try container.encode(firstPacketTime, forKey: .firstPacketTime)
            try container.encode(lastPacketTime, forKey: .lastPacketTime)
            try container.encode(packets, forKey: .packets)
            try container.encode(bytes, forKey: .bytes)
            try container.encode(localPath, forKey: .localPath)
            try container.encode(storagePath, forKey: .storagePath)
            try container.encodeIfPresent(keptAt, forKey: .keptAt)
        }

        enum CodingKeys: String, CodingKey {
            case name, instanceId, firstPacketTime, lastPacketTime, packets, bytes, localPath, storagePath, keptAt
        }
    }

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
        try container.encodeIfPresent(captureFiles, forKey: .captureFiles)
        try container.encodeIfPresent(filesRotatedOut, forKey: .filesRotatedOut)
        try container.encodeIfPresent(packetsRotatedOut, forKey: .packetsRotatedOut)
        try container.encodeIfPresent(bytesRotatedOut, forKey: .bytesRotatedOut)
    }

    enum CodingKeys: String, CodingKey {
        case name, id, captureStartTime, captureStopTime, packetCaptureStatus, stopReason, packetCaptureError, errorMessage
        case packetsCaptured, packetsReceived, packetsDropped, packetsDroppedByInterface, bytesWritten, agentPid, files, instances
        case captureFiles, filesRotatedOut, packetsRotatedOut, bytesRotatedOut
    }
}

