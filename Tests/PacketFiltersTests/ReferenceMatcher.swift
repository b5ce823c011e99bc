@testable import PacketFilters
import TestSupport

/// The filter semantics evaluated directly on decoded packets, written without the BPF
/// builder, so tests can compare what libpcap selects with what the filters mean.
///
/// A packet is captured when any filter matches it. A filter matches when the protocol fits
/// and the packet goes local → remote or remote → local with every set field on its side.
/// "Local" is the target: when the packet's direction is known, one the target sent must go
/// local → remote and one it received remote → local, except on loopback, where the target is
/// both ends and either way fits; when it is not known, either way fits.
enum ReferenceMatcher {
    /// A decoded packet with its addresses read once, for matching against many filters.
    struct Packet {
        let decoded: DecodedPacket
        let src: IPAddress?
        let dst: IPAddress?

        init(_ decoded: DecodedPacket) {
            self.decoded = decoded
            src = decoded.src.flatMap { try? IPAddress.parse($0) }
            dst = decoded.dst.flatMap { try? IPAddress.parse($0) }
        }
    }

    static func captures(_ packet: DecodedPacket, direction: LinkDirection? = nil, with filters: [PacketCaptureFilter]) throws -> Bool {
        let specs = try filters.enumerated().map { try FilterSpec($1, position: $0 + 1) }
        return captures(Packet(packet), direction: direction, with: specs)
    }

    static func captures(_ packet: Packet, direction: LinkDirection? = nil, with specs: [FilterSpec]) -> Bool {
        specs.isEmpty || specs.contains { matches(packet, direction, $0) }
    }

    static func matches(_ packet: Packet, _ direction: LinkDirection?, _ spec: FilterSpec) -> Bool {
        let (src, dst, packet) = (packet.src, packet.dst, packet.decoded)
        let restrictsAddresses = spec.localAddresses != nil || spec.remoteAddresses != nil
        switch spec.protocol {
        case .tcp:
            guard packet.ipVersion != nil, packet.proto == 6 else { return false }
        case .udp:
            guard packet.ipVersion != nil, packet.proto == 17 else { return false }
        case .any where spec.hasPorts:
            guard packet.ipVersion != nil, packet.proto == 6 || packet.proto == 17 else { return false }
        case .any where restrictsAddresses:
            guard packet.ipVersion != nil else { return false }
        case .any:
            return true
        }
        let localToRemote = fits(spec.localAddresses, src) && fits(spec.remoteAddresses, dst)
            && fits(spec.localPorts, packet.srcPort) && fits(spec.remotePorts, packet.dstPort)
        let remoteToLocal = fits(spec.remoteAddresses, src) && fits(spec.localAddresses, dst)
            && fits(spec.remotePorts, packet.srcPort) && fits(spec.localPorts, packet.dstPort)
        guard let direction, !direction.onLoopback else { return localToRemote || remoteToLocal }
        return direction.sentByTarget ? localToRemote : remoteToLocal
    }

    /// An unset field fits anything; a set one needs the value to be present and in the set.
    private static func fits(_ set: AddressSet?, _ address: IPAddress?) -> Bool {
        guard let set else { return true }
        guard let address else { return false }
        return set.contains(address)
    }

    private static func fits(_ set: PortSet?, _ port: UInt16?) -> Bool {
        guard let set else { return true }
        guard let port else { return false }
        return set.contains(port)
    }
}
