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

