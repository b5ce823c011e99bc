import ARMRequests
import ControlPlane
import SystemCalls
import Glibc
import PcapFormat

/// What a capture file holds, for the portal: totals, time span, protocols and the busiest conversations.
///
/// Decodes the link layers pcapctl writes (Linux cooked v1/v2 for `any`, Ethernet, raw IP), then IPv4
/// or IPv6, then TCP/UDP ports. A conversation's `local` side is the capture host's where the link layer
/// says which way a packet went (Linux cooked captures), else the first packet's sender.
struct CaptureFileSummary: Encodable, Sendable {
    var packets: Int
    var bytes: UInt64
    var firstPacketTime: String?
    var lastPacketTime: String?
    var protocols: [ProtocolCount]
    var topTalkers: [Talker]

    struct ProtocolCount: Encodable, Sendable {
        var name: String
        var packets: Int
        var bytes: UInt64
    }

    struct Talker: Encodable, Sendable {
        var `protocol`: String
        var localAddress: String
        var localPort: Int?
        var remoteAddress: String
        var remotePort: Int?
        var packets: Int
        var bytes: UInt64
    }

    static let talkerCount = 10

    /// Summarises the first `length` bytes of the file, mapped rather than read, so a large file costs
    /// no heap.
    static func read(_ path: String, length: Int) throws(ARMError) -> CaptureFileSummary {
        guard length > 0 else { throw ARMError(.badRequest, "CaptureFileUnreadable", "the capture file is empty") }
        let file: OwnedDescriptor
        do { file = try FileSystem.open(path, O_RDONLY | O_NOFOLLOW) } catch {
            throw ARMError(.internalServerError, "InternalServerError", "cannot read the capture file \(path): \(error)")
        }
        guard let mapping = mmap(nil, length, PROT_READ, MAP_PRIVATE, file.rawValue, 0), mapping != MAP_FAILED else {
            throw ARMError(.internalServerError, "InternalServerError", "cannot map the capture file \(path): \(Errno.current)")
        }
        defer { munmap(mapping, length) }
        do {
            return try summarize(UnsafeRawBufferPointer(start: mapping, count: length))
        } catch {
            throw ARMError(.badRequest, "CaptureFileUnreadable", "the capture file is not a pcap file: \(error)")
        }
    }

    static func summarize(_ file: UnsafeRawBufferPointer) throws(PcapFileError) -> CaptureFileSummary {
        let layout = try PcapFileSummary(scanning: file)
        let magic = file.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        let swapped = magic == PcapFileFormat.microsecondMagic.byteSwapped || magic == PcapFileFormat.nanosecondMagic.byteSwapped
        let nanoseconds = magic == PcapFileFormat.nanosecondMagic || magic == PcapFileFormat.nanosecondMagic.byteSwapped
        func word(_ offset: Int) -> UInt32 {
            let value = file.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            return swapped ? value.byteSwapped : value
        }

        var protocols: [String: ProtocolCount] = [:]
        var order: [String] = []
        var flows: [FlowKey: Talker] = [:]
        var totalBytes: UInt64 = 0
        var first: (Int, Int)?
        var last: (Int, Int)?
        var offset = PcapFileFormat.fileHeaderSize
        for _ in 0..<layout.packetCount {
            let seconds = Int(word(offset)), fraction = Int(word(offset + 4))
            let captured = Int(word(offset + 8)), original = UInt64(word(offset + 12))
            let time = (seconds, nanoseconds ? fraction : fraction * 1000)
            if first == nil { first = time }
            last = time
            totalBytes += original
            let packet = UnsafeRawBufferPointer(rebasing: file[(offset + PcapFileFormat.recordHeaderSize)..<(offset + PcapFileFormat.recordHeaderSize + captured)])
            offset += PcapFileFormat.recordHeaderSize + captured

            let decoded = Packet(linkType: layout.linkType, bytes: packet)
            if protocols[decoded.protocolName] == nil {
                protocols[decoded.protocolName] = ProtocolCount(name: decoded.protocolName, packets: 0, bytes: 0)
                order.append(decoded.protocolName)
            }
            protocols[decoded.protocolName]!.packets += 1
            protocols[decoded.protocolName]!.bytes += original
            guard let source = decoded.source, let destination = decoded.destination else { continue }
            let key = FlowKey(protocolName: decoded.protocolName, source, destination)
            if flows[key] == nil {
                let (local, remote) = decoded.outgoing != false ? (source, destination) : (destination, source)
                flows[key] = Talker(
                    protocol: decoded.protocolName, localAddress: local.address, localPort: local.port,
                    remoteAddress: remote.address, remotePort: remote.port, packets: 0, bytes: 0)
            }
            flows[key]!.packets += 1
            flows[key]!.bytes += original
        }
        let talkers = flows.values.sorted {
            ($0.bytes, $0.packets, $1.localAddress, $1.remoteAddress) > ($1.bytes, $1.packets, $0.localAddress, $0.remoteAddress)
        }
        return CaptureFileSummary(
            packets: layout.packetCount, bytes: totalBytes,
            firstPacketTime: first.map(Self.rfc3339), lastPacketTime: last.map(Self.rfc3339),
            protocols: order.map { protocols[$0]! }.sorted { $0.packets > $1.packets },
            topTalkers: Array(talkers.prefix(talkerCount)))
    }

    /// `2026-12-01T19:18:02.570123Z`, microseconds.
    static func rfc3339(_ time: (Int, Int)) -> String {
        let base = Timestamp(seconds: time.0, milliseconds: 0).iso8601.dropLast(4)
        let micros = String(time.1 / 1000)
        return base + String(repeating: "0", count: 6 - micros.count) + micros + "Z"
    }

    struct Endpoint: Hashable {
        var address: String
        var port: Int?
    }

    /// Both directions of a conversation share one key.
    struct FlowKey: Hashable {
        var protocolName: String
        var low: Endpoint
        var high: Endpoint

        init(protocolName: String, _ a: Endpoint, _ b: Endpoint) {
            self.protocolName = protocolName
            let ordered = (a.address, a.port ?? -1) <= (b.address, b.port ?? -1)
            low = ordered ? a : b
            high = ordered ? b : a
        }
    }

    /// One record, decoded as far as its headers go.
    struct Packet {
        var protocolName = "Other"
        var source: Endpoint?
        var destination: Endpoint?
        /// From a Linux cooked header's packet type: true sent by this host, false received; nil unknown.
        var outgoing: Bool?

        init(linkType: UInt32, bytes: UnsafeRawBufferPointer) {
            func u16(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
            var etherType: Int
            var start: Int
            switch linkType {
            case 113:  // LINUX_SLL: packet type, ARPHRD, address length, address (8), protocol
                guard bytes.count >= 16 else { return }
                outgoing = u16(0) == 4 ? true : false
                etherType = u16(14)
                start = 16
            case 276:  // LINUX_SLL2: protocol, reserved, ifindex, ARPHRD, packet type, address length, address (8)
                guard bytes.count >= 20 else { return }
                etherType = u16(0)
                outgoing = bytes[10] == 4
                start = 20
            case 1:  // Ethernet, with one optional 802.1Q tag
                guard bytes.count >= 14 else { return }
                etherType = u16(12)
                start = 14
                if etherType == 0x8100, bytes.count >= 18 {
                    etherType = u16(16)
                    start = 18
                }
            case 101, 12, 14:  // raw IP
                guard bytes.count >= 1 else { return }
                etherType = bytes[0] >> 4 == 6 ? 0x86dd : 0x0800
                start = 0
            default:
                return
            }
            switch etherType {
            case 0x0806:
                protocolName = "ARP"
            case 0x0800:
                guard bytes.count >= start + 20, bytes[start] >> 4 == 4 else { protocolName = "IPv4"; return }
                let headerLength = Int(bytes[start] & 0x0f) * 4
                let fragmentOffset = u16(start + 6) & 0x1fff
                let source = Self.ipv4(bytes, start + 12), destination = Self.ipv4(bytes, start + 16)
                transport(protocolNumber: bytes[start + 9], at: start + headerLength, source: source, destination: destination, firstFragment: fragmentOffset == 0, bytes: bytes, icmp: "ICMP", ip: "IPv4")
            case 0x86dd:
                guard bytes.count >= start + 40 else { protocolName = "IPv6"; return }
                let source = Self.ipv6(bytes, start + 8), destination = Self.ipv6(bytes, start + 24)
                transport(protocolNumber: bytes[start + 6], at: start + 40, source: source, destination: destination, firstFragment: true, bytes: bytes, icmp: "ICMPv6", ip: "IPv6")
            default:
                return
            }
        }

        private mutating func transport(protocolNumber: UInt8, at offset: Int, source: String, destination: String, firstFragment: Bool, bytes: UnsafeRawBufferPointer, icmp: String, ip: String) {
            var sourcePort: Int?
            var destinationPort: Int?
            switch protocolNumber {
            case 6: protocolName = "TCP"
            case 17: protocolName = "UDP"
            case 1, 58: protocolName = icmp
            default: protocolName = ip
            }
            if (protocolNumber == 6 || protocolNumber == 17), firstFragment, bytes.count >= offset + 4 {
                sourcePort = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                destinationPort = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            }
            self.source = Endpoint(address: source, port: sourcePort)
            self.destination = Endpoint(address: destination, port: destinationPort)
        }

        static func ipv4(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> String {
            (0..<4).map { String(bytes[at + $0]) }.joined(separator: ".")
        }

        /// RFC 5952 text: lower-case hex, the longest run of two or more zero groups as `::`.
        static func ipv6(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> String {
            let groups = (0..<8).map { Int(bytes[at + 2 * $0]) << 8 | Int(bytes[at + 2 * $0 + 1]) }
            var best = (start: -1, length: 0)
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else { index += 1; continue }
                var end = index
                while end < 8 && groups[end] == 0 { end += 1 }
                if end - index > best.length && end - index >= 2 { best = (index, end - index) }
                index = end
            }
            let hex = groups.map { String($0, radix: 16) }
            guard best.start >= 0 else { return hex.joined(separator: ":") }
            let head = hex[..<best.start].joined(separator: ":")
            let tail = hex[(best.start + best.length)...].joined(separator: ":")
            return head + "::" + tail
        }
    }
}
