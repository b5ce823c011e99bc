import Foundation

// A small reader of classic libpcap files and a decoder of packets down to their 5-tuple.
// It shares nothing with PacketFilters on purpose: end-to-end tests use it to work out which
// packets a filter should have kept, so the filter compiler is not checked against itself.

/// The global header of a classic pcap file.
public struct PcapFileHeader: Sendable, Equatable {
    public var versionMajor: UInt16
    public var versionMinor: UInt16
    public var snaplen: UInt32
    public var linkType: UInt32
    /// True for magic a1b23c4d, whose record timestamps count nanoseconds instead of microseconds.
    public var hasNanosecondTimestamps: Bool
    /// True when the file was written on a big-endian machine (magic read as d4c3b2a1 or 4d3cb2a1).
    public var isBigEndian: Bool

    public init(
        versionMajor: UInt16, versionMinor: UInt16, snaplen: UInt32, linkType: UInt32,
        hasNanosecondTimestamps: Bool, isBigEndian: Bool
    ) {
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.snaplen = snaplen
        self.linkType = linkType
        self.hasNanosecondTimestamps = hasNanosecondTimestamps
        self.isBigEndian = isBigEndian
    }
}

/// One captured packet.
public struct PcapRecord: Sendable, Equatable {
    public var timestampSeconds: UInt32
    /// Always in nanoseconds, whatever the file's resolution.
    public var timestampNanoseconds: UInt32
    /// Bytes saved in the file (`bytes.count`).
    public var caplen: UInt32
    /// Length of the packet on the wire.
    public var origLen: UInt32
    public var bytes: [UInt8]

    public init(
        timestampSeconds: UInt32, timestampNanoseconds: UInt32, caplen: UInt32, origLen: UInt32, bytes: [UInt8]
    ) {
        self.timestampSeconds = timestampSeconds
        self.timestampNanoseconds = timestampNanoseconds
        self.caplen = caplen
        self.origLen = origLen
        self.bytes = bytes
    }
}

/// A whole file as read.
public struct PcapFile: Sendable, Equatable {
    public var header: PcapFileHeader
    public var records: [PcapRecord]
    /// Bytes dropped from the end because the last record was cut short (a capture still being
    /// written, or killed); 0 for a complete file.
    public var tornTailBytes: Int
}

public struct PcapDecodeError: Error, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// What a packet carries at the network and transport layers; nil where a layer is absent,
/// unknown or cut off.
public struct DecodedPacket: Sendable, Equatable, Hashable {
    public var ipVersion: Int?
    public var src: String?
    public var dst: String?
    /// The IP protocol number of the upper layer (6 TCP, 17 UDP, ...), after any IPv6 extension headers.
    public var proto: UInt8?
    /// Set only for TCP and UDP when the transport header is present (not in non-first fragments).
    public var srcPort: UInt16?
    public var dstPort: UInt16?

    public init(
        ipVersion: Int? = nil, src: String? = nil, dst: String? = nil,
        proto: UInt8? = nil, srcPort: UInt16? = nil, dstPort: UInt16? = nil
    ) {
        self.ipVersion = ipVersion
        self.src = src
        self.dst = dst
        self.proto = proto
        self.srcPort = srcPort
        self.dstPort = dstPort
    }
}

/// A packet's direction, seen from the capture target.
public struct LinkDirection: Sendable, Equatable {
    /// The target sent it (otherwise it received it).
    public var sentByTarget: Bool
    /// It went over loopback, where the target is both ends.
    public var onLoopback: Bool

    public init(sentByTarget: Bool, onLoopback: Bool) {
        self.sentByTarget = sentByTarget
        self.onLoopback = onLoopback
    }
}

public enum PcapDecoder {
    /// Link types the packet decoder understands, by their LINKTYPE_ numbers.
    public enum LinkType {
        public static let ethernet: UInt32 = 1
        public static let raw: UInt32 = 101
        public static let linuxSLL: UInt32 = 113
        public static let linuxSLL2: UInt32 = 276
    }

    /// Far above any real snaplen; a larger record length means the file is corrupt.
    static let maximumRecordLength: UInt32 = 64 << 20

    public static func read(contentsOf url: URL) throws -> PcapFile {
        try parse([UInt8](Data(contentsOf: url)))
    }

    /// Reads a whole file. A last record cut short is dropped and counted in `tornTailBytes`.
    public static func parse(_ bytes: [UInt8]) throws(PcapDecodeError) -> PcapFile {
        guard bytes.count >= 24 else {
            throw PcapDecodeError("file is \(bytes.count) bytes, shorter than the 24-byte pcap header")
        }
        let reader = ByteReader(bytes: bytes)
        guard let magic = reader.uint32(at: 0, bigEndian: false) else {
            throw PcapDecodeError("unreadable pcap header")
        }
        let isBigEndian: Bool
        let hasNanoseconds: Bool
        switch magic {
        case 0xA1B2_C3D4: (isBigEndian, hasNanoseconds) = (false, false)
        case 0xA1B2_3C4D: (isBigEndian, hasNanoseconds) = (false, true)
        case 0xD4C3_B2A1: (isBigEndian, hasNanoseconds) = (true, false)
        case 0x4D3C_B2A1: (isBigEndian, hasNanoseconds) = (true, true)
        default:
            throw PcapDecodeError("not a classic pcap file (magic \(String(magic, radix: 16)))")
        }
        guard let major = reader.uint16(at: 4, bigEndian: isBigEndian),
              let minor = reader.uint16(at: 6, bigEndian: isBigEndian),
              let snaplen = reader.uint32(at: 16, bigEndian: isBigEndian),
              let linkType = reader.uint32(at: 20, bigEndian: isBigEndian) else {
            throw PcapDecodeError("unreadable pcap header")
        }
        let header = PcapFileHeader(
            versionMajor: major, versionMinor: minor, snaplen: snaplen,
            // The upper bits carry FCS information in some writers; the link type is the low 16.
            linkType: linkType & 0xFFFF,
            hasNanosecondTimestamps: hasNanoseconds, isBigEndian: isBigEndian)

        var records: [PcapRecord] = []
        var offset = 24
        while offset < bytes.count {
            guard bytes.count - offset >= 16,
                  let seconds = reader.uint32(at: offset, bigEndian: isBigEndian),
                  let fraction = reader.uint32(at: offset + 4, bigEndian: isBigEndian),
                  let caplen = reader.uint32(at: offset + 8, bigEndian: isBigEndian),
                  let origLen = reader.uint32(at: offset + 12, bigEndian: isBigEndian) else {
                return PcapFile(header: header, records: records, tornTailBytes: bytes.count - offset)
            }
            guard caplen <= maximumRecordLength else {
                throw PcapDecodeError(
                    "record \(records.count + 1) claims \(caplen) bytes; the file is corrupt")
            }
            let dataStart = offset + 16
            guard bytes.count - dataStart >= Int(caplen) else {
                return PcapFile(header: header, records: records, tornTailBytes: bytes.count - offset)
            }
            guard hasNanoseconds || fraction < 1_000_000, fraction < 1_000_000_000 else {
                throw PcapDecodeError("record \(records.count + 1) has a sub-second timestamp of \(fraction)")
            }
            records.append(PcapRecord(
                timestampSeconds: seconds,
                timestampNanoseconds: hasNanoseconds ? fraction : fraction * 1000,
                caplen: caplen, origLen: origLen,
                bytes: Array(bytes[dataStart..<dataStart + Int(caplen)])))
            offset = dataStart + Int(caplen)
        }
        return PcapFile(header: header, records: records, tornTailBytes: 0)
    }

    /// Which way a packet went and whether it was on loopback, as a Linux cooked header (the `any` device)
    /// records them; nil for link types that do not say.
    public static func linkDirection(_ bytes: [UInt8], linkType: UInt32) -> LinkDirection? {
        let reader = ByteReader(bytes: bytes)
        let packetType: UInt16?, deviceType: UInt16?
        switch linkType {
        case LinkType.linuxSLL: (packetType, deviceType) = (reader.uint16(at: 0), reader.uint16(at: 2))
        case LinkType.linuxSLL2: (packetType, deviceType) = (reader.byte(at: 10).map(UInt16.init), reader.uint16(at: 8))
        default: return nil
        }
        guard let packetType, let deviceType else { return nil }
        // PACKET_OUTGOING is 4; ARPHRD_LOOPBACK is 772.
        return LinkDirection(sentByTarget: packetType == 4, onLoopback: deviceType == 772)
    }

    /// Decodes a packet of the given link type; fields stay nil where the packet does not say.
    public static func decodePacket(_ bytes: [UInt8], linkType: UInt32) -> DecodedPacket {
        let reader = ByteReader(bytes: bytes)
        switch linkType {
        case LinkType.ethernet:
            guard var etherType = reader.uint16(at: 12) else { return DecodedPacket() }
            var payload = 14
            if etherType == 0x8100 || etherType == 0x88A8 {
                guard let inner = reader.uint16(at: 16) else { return DecodedPacket() }
                etherType = inner
                payload = 18
            }
            return decodeNetworkLayer(reader, at: payload, etherType: etherType)
        case LinkType.linuxSLL:
            guard let etherType = reader.uint16(at: 14) else { return DecodedPacket() }
            return decodeNetworkLayer(reader, at: 16, etherType: etherType)
        case LinkType.linuxSLL2:
            guard let etherType = reader.uint16(at: 0) else { return DecodedPacket() }
            return decodeNetworkLayer(reader, at: 20, etherType: etherType)
        case LinkType.raw:
            guard let first = reader.byte(at: 0) else { return DecodedPacket() }
            switch first >> 4 {
            case 4: return decodeIPv4(reader, at: 0)
            case 6: return decodeIPv6(reader, at: 0)
            default: return DecodedPacket()
            }
        default:
            return DecodedPacket()
        }
    }

    private static func decodeNetworkLayer(
        _ reader: ByteReader, at offset: Int, etherType: UInt16
    ) -> DecodedPacket {
        switch etherType {
        case 0x0800: decodeIPv4(reader, at: offset)
        case 0x86DD: decodeIPv6(reader, at: offset)
        default: DecodedPacket()
        }
    }

    private static func decodeIPv4(_ reader: ByteReader, at offset: Int) -> DecodedPacket {
        guard let versionAndLength = reader.byte(at: offset), versionAndLength >> 4 == 4,
              let fragment = reader.uint16(at: offset + 6),
              let proto = reader.byte(at: offset + 9),
              let src = reader.bytes(at: offset + 12, count: 4),
              let dst = reader.bytes(at: offset + 16, count: 4) else { return DecodedPacket() }
        let headerLength = Int(versionAndLength & 0x0F) * 4
        guard headerLength >= 20 else { return DecodedPacket() }
        var packet = DecodedPacket(
            ipVersion: 4, src: src.map(String.init).joined(separator: "."),
            dst: dst.map(String.init).joined(separator: "."), proto: proto)
        if fragment & 0x1FFF == 0 {
            addPorts(to: &packet, reader, at: offset + headerLength)
        }
        return packet
    }

    /// Follows hop-by-hop, routing, destination-options, fragment and AH headers to the upper layer.
    private static func decodeIPv6(_ reader: ByteReader, at offset: Int) -> DecodedPacket {
        guard let version = reader.byte(at: offset), version >> 4 == 6,
              var next = reader.byte(at: offset + 6),
              let src = reader.bytes(at: offset + 8, count: 16),
              let dst = reader.bytes(at: offset + 24, count: 16) else { return DecodedPacket() }
        var packet = DecodedPacket(ipVersion: 6, src: formatIPv6(src), dst: formatIPv6(dst))
        var headerStart = offset + 40
        var isLaterFragment = false
        extensionHeaders: while true {
            switch next {
            case 0, 43, 60:
                guard let following = reader.byte(at: headerStart),
                      let length = reader.byte(at: headerStart + 1) else { return packet }
                next = following
                headerStart += (Int(length) + 1) * 8
            case 51:
                guard let following = reader.byte(at: headerStart),
                      let length = reader.byte(at: headerStart + 1) else { return packet }
                next = following
                headerStart += (Int(length) + 2) * 4
            case 44:
                guard let following = reader.byte(at: headerStart),
                      let fragment = reader.uint16(at: headerStart + 2) else { return packet }
                next = following
                isLaterFragment = isLaterFragment || fragment & 0xFFF8 != 0
                headerStart += 8
            default:
                break extensionHeaders
            }
        }
        packet.proto = next
        if !isLaterFragment {
            addPorts(to: &packet, reader, at: headerStart)
        }
        return packet
    }

    private static func addPorts(to packet: inout DecodedPacket, _ reader: ByteReader, at offset: Int) {
        guard packet.proto == 6 || packet.proto == 17,
              let srcPort = reader.uint16(at: offset),
              let dstPort = reader.uint16(at: offset + 2) else { return }
        packet.srcPort = srcPort
        packet.dstPort = dstPort
    }

    /// RFC 5952 text: lowercase hex, no leading zeros, the longest run of 2+ zero groups as `::`.
    /// `bytes` holds exactly 16 bytes (read through `ByteReader`).
    private static func formatIPv6(_ bytes: [UInt8]) -> String {
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var best = (start: 0, length: 0)
        var run = (start: 0, length: 0)
        for (index, group) in groups.enumerated() {
            if group == 0 {
                run = run.length == 0 ? (index, 1) : (run.start, run.length + 1)
                if run.length > best.length { best = run }
            } else {
                run = (0, 0)
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return hex.joined(separator: ":") }
        return hex[..<best.start].joined(separator: ":") + "::"
            + hex[(best.start + best.length)...].joined(separator: ":")
    }
}

/// Bounds-checked big-endian (network order) reads; nil past the end instead of a trap.
struct ByteReader {
    let bytes: [UInt8]

    func byte(at offset: Int) -> UInt8? {
        offset >= 0 && offset < bytes.count ? bytes[offset] : nil
    }

    func bytes(at offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset <= bytes.count - count else { return nil }
        return Array(bytes[offset..<offset + count])
    }

    func uint16(at offset: Int, bigEndian: Bool = true) -> UInt16? {
        guard let raw = bytes(at: offset, count: 2) else { return nil }
        let value = raw.reduce(UInt16(0)) { $0 << 8 | UInt16($1) }
        return bigEndian ? value : value.byteSwapped
    }

    func uint32(at offset: Int, bigEndian: Bool = true) -> UInt32? {
        guard let raw = bytes(at: offset, count: 4) else { return nil }
        let value = raw.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return bigEndian ? value : value.byteSwapped
    }
}
