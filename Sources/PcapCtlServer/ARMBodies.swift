import CaptureOperations
import ControlPlane
import PacketFilters

/// The ARM shapes of pcapctl's resource: `PacketCaptureResult` with its fields under `properties`, and
/// the list page. The status body (`PacketCaptureQueryStatusResult`) is already flat and is sent as
/// pcapctl's own report, whose counters are extra keys the SDK keeps and az drops.
struct ARMPacketCapture: Encodable {
    static let resourceType = "Microsoft.Network/networkWatchers/packetCaptures"

    var name: String
    var id: String
    var etag: String
    var type = resourceType
    var properties: Properties

    struct Properties: Encodable {
        var provisioningState: String
        var target: String
        var targetType: TargetType
        var scope: MachineScope
        var bytesToCapturePerPacket: UInt64
        /// Absent for a continuous capture, whose limits are in `captureSettings`.
        var totalBytesPerSession: UInt64?
        var timeLimitInSeconds: UInt64?
        var storageLocation: StorageLocation
        var continuousCapture: Bool?
        var captureSettings: PacketCaptureSettings?
        var filters: [PacketCaptureFilter]
        /// pcapctl's addition, read-only: the BPF program the filters compiled to; absent when none.
        var bpfExpression: String?
        /// For a scale set, the instance ids the capture covers (pcapctl's addition).
        var instances: [String]?
    }

    init(_ view: CaptureView) {
        self.init(view.resource, bpfExpression: view.capture.settings.bpfExpression)
    }

    init(_ resource: PacketCaptureResource, bpfExpression: String?) {
        name = resource.name
        id = resource.id
        etag = resource.etag
        properties = Properties(
            provisioningState: resource.provisioningState,
            target: resource.target,
            targetType: resource.targetType,
            scope: resource.scope,
            bytesToCapturePerPacket: resource.bytesToCapturePerPacket,
            totalBytesPerSession: resource.continuousCapture == nil ? resource.totalBytesPerSession : nil,
            timeLimitInSeconds: resource.continuousCapture == nil ? resource.timeLimitInSeconds : nil,
            storageLocation: resource.storageLocation,
            continuousCapture: resource.continuousCapture,
            captureSettings: resource.captureSettings,
            filters: resource.filters,
            bpfExpression: bpfExpression,
            instances: resource.instances)
    }
}

/// One page of a collection; `nextLink` carries its api-version because the SDK follows it verbatim.
struct ARMPage<Item: Encodable>: Encodable {
    var value: [Item]
    var nextLink: String?
}
