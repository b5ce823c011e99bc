import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport

/// A packet described at the level filters care about, built into real bytes for the decoder,
/// the reference matcher and (where available) libpcap.
struct TestPacket: Sendable, CustomStringConvertible {
    var src: String
    var dst: String
    var proto: UInt8
    var srcPort: UInt16 = 0
    var dstPort: UInt16 = 0
    /// A non-first fragment: the transport header is not in this packet.
    var isLaterFragment = false

    var isIPv6: Bool { src.contains(":") }

    var description: String {
        "\(proto) \(src):\(srcPort) > \(dst):\(dstPort)\(isLaterFragment ? " (later fragment)" : "")"
    }

    /// The IP packet: header, then a TCP (20 bytes), UDP (8) or SCTP (12) header, or 8 bytes of payload.
    var ipBytes: [UInt8] {
        var transport: [UInt8] = []
        if !isLaterFragment {
            transport = bigEndian16(srcPort) + bigEndian16(dstPort)
            switch proto {
            case 6: transport += [0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]
            case 17: transport += bigEndian16(8) + [0, 0]
            case 132: transport += [0, 0, 0, 0, 0, 0, 0, 0]
            default: transport = [8, 0, 0, 0, 0, 0, 0, 0]
            }
        } else {
            transport = [UInt8](repeating: 0xAB, count: 8)
        }
        return isIPv6 ? ipv6Header(payload: transport) : ipv4Header(payload: transport)
    }

    private func ipv4Header(payload: [UInt8]) -> [UInt8] {
        let fragment: UInt16 = isLaterFragment ? 185 : 0
        return [0x45, 0] + bigEndian16(UInt16(20 + payload.count)) + [0x12, 0x34] + bigEndian16(fragment)
            + [64, proto, 0, 0] + Self.addressBytes(src, family: AF_INET) + Self.addressBytes(dst, family: AF_INET)
            + payload
    }

    /// A later fragment carries an IPv6 fragment header with a non-zero offset.
    private func ipv6Header(payload: [UInt8]) -> [UInt8] {
        let fragmentHeader: [UInt8] = isLaterFragment ? [proto, 0] + bigEndian16(185 << 3) + [0, 0, 0, 1] : []
        let nextHeader = isLaterFragment ? 44 : proto
        return [0x60, 0, 0, 0] + bigEndian16(UInt16(fragmentHeader.count + payload.count)) + [nextHeader, 64]
            + Self.addressBytes(src, family: AF_INET6) + Self.addressBytes(dst, family: AF_INET6)
            + fragmentHeader + payload
    }

    /// The packet framed for a link type, as it would sit in a pcap record.
    func frame(linkType: UInt32) -> [UInt8] {
        let etherType: UInt16 = isIPv6 ? 0x86DD : 0x0800
        return PacketFrames.frame(ipBytes, etherType: etherType, linkType: linkType)
    }

    /// Uses the C library's parser so test packets don't depend on PacketFilters' own.
    static func addressBytes(_ text: String, family: Int32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: family == AF_INET ? 4 : 16)
        let result = buffer.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        precondition(result == 1, "test packet has a malformed address \(text)")
        return buffer
    }
}

enum PacketFrames {
    static func frame(_ payload: [UInt8], etherType: UInt16, linkType: UInt32, vlan: UInt16? = nil) -> [UInt8] {
        switch linkType {
        case PcapDecoder.LinkType.ethernet:
            let macs: [UInt8] = [0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02]
            let tag = vlan.map { bigEndian16(0x8100) + bigEndian16($0) } ?? []
            return macs + tag + bigEndian16(etherType) + payload
        case PcapDecoder.LinkType.linuxSLL:
            return bigEndian16(0) + bigEndian16(1) + bigEndian16(6) + [2, 0, 0, 0, 0, 1, 0, 0]
                + bigEndian16(etherType) + payload
        case PcapDecoder.LinkType.linuxSLL2:
            return bigEndian16(etherType) + [0, 0] + [0, 0, 0, 2] + bigEndian16(1) + [0, 6]
                + [2, 0, 0, 0, 0, 1, 0, 0] + payload
        default:
            return payload
        }
    }

    /// An ARP request "who has `target`, tell `sender`" on Ethernet.
    static func arpRequest(sender: String, target: String) -> [UInt8] {
        let arp: [UInt8] = bigEndian16(1) + bigEndian16(0x0800) + [6, 4] + bigEndian16(1)
            + [0x02, 0, 0, 0, 0, 0x01] + TestPacket.addressBytes(sender, family: AF_INET)
            + [0, 0, 0, 0, 0, 0] + TestPacket.addressBytes(target, family: AF_INET)
        return frame(arp, etherType: 0x0806, linkType: PcapDecoder.LinkType.ethernet)
    }
}

/// Writes classic pcap files in either byte order and timestamp resolution.
struct PcapFileWriter {
    var linkType: UInt32
    var snaplen: UInt32 = 262_144
    var bigEndian = false
    var nanoseconds = false

    func file(records: [(seconds: UInt32, fraction: UInt32, bytes: [UInt8], origLen: UInt32?)]) -> [UInt8] {
        let magic: UInt32 = nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4
        var out = word32(magic) + word16(2) + word16(4) + word32(0) + word32(0) + word32(snaplen) + word32(linkType)
        for record in records {
            out += word32(record.seconds) + word32(record.fraction) + word32(UInt32(record.bytes.count))
                + word32(record.origLen ?? UInt32(record.bytes.count)) + record.bytes
        }
        return out
    }

    private func word16(_ value: UInt16) -> [UInt8] {
        bigEndian ? bigEndian16(value) : bigEndian16(value).reversed()
    }

    private func word32(_ value: UInt32) -> [UInt8] {
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32($0))) }
        return bigEndian ? bytes : bytes.reversed()
    }
}

func bigEndian16(_ value: UInt16) -> [UInt8] {
    [UInt8(value >> 8), UInt8(value & 0xFF)]
}
