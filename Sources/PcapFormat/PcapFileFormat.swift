/// The classic libpcap savefile layout that tcpdump, tshark and Wireshark read: a 24-byte file header,
/// then one 16-byte record header before each packet's bytes. Written in the host's byte order, as
/// libpcap itself does; readers detect the order from the magic number.
public enum PcapFileFormat {
    /// Magic for microsecond timestamps.
    public static let microsecondMagic: UInt32 = 0xa1b2_c3d4
    /// Magic for nanosecond timestamps.
    public static let nanosecondMagic: UInt32 = 0xa1b2_3c4d
    public static let fileHeaderSize = 24
    public static let recordHeaderSize = 16

    /// The file header for a capture with this link type and snapshot length.
    public static func fileHeader(linkType: UInt32, snapshotLength: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fileHeaderSize)
        append(microsecondMagic, to: &bytes)
        append(UInt16(2), to: &bytes)  // version major
        append(UInt16(4), to: &bytes)  // version minor
        append(UInt32(0), to: &bytes)  // thiszone
        append(UInt32(0), to: &bytes)  // sigfigs
        append(snapshotLength, to: &bytes)
        append(linkType, to: &bytes)
        return bytes
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }
}

/// What a walk over a capture file found: how many whole records it holds and where the last one ends.
public struct PcapFileSummary: Equatable, Sendable {
    public var packetCount: Int
    /// Offset just past the last whole record: the length the file should have.
    public var validLength: Int
    /// Bytes after `validLength` that belong to a record cut short (a write interrupted by a kill or a full disk).
    public var tornBytes: Int
    public var snapshotLength: UInt32
    public var linkType: UInt32
    /// The stamps of the first and last whole records, nil when there are none.
    public var firstPacketTime: PacketTime?
    public var lastPacketTime: PacketTime?

    public init(packetCount: Int, validLength: Int, tornBytes: Int, snapshotLength: UInt32, linkType: UInt32, firstPacketTime: PacketTime? = nil, lastPacketTime: PacketTime? = nil) {
        self.packetCount = packetCount
        self.validLength = validLength
        self.tornBytes = tornBytes
        self.snapshotLength = snapshotLength
        self.linkType = linkType
        self.firstPacketTime = firstPacketTime
        self.lastPacketTime = lastPacketTime
    }
}

/// A record's stamp: seconds since the epoch (UTC) and microseconds (nanosecond files are rounded down).
public struct PacketTime: Equatable, Sendable {
    public var seconds: UInt32
    public var microseconds: UInt32

    public init(seconds: UInt32, microseconds: UInt32) {
        self.seconds = seconds
        self.microseconds = microseconds
    }
}

public enum PcapFileError: Error, Equatable, CustomStringConvertible {
    case tooShort
    case badMagic(UInt32)

    public var description: String {
        switch self {
        case .tooShort: "the file is shorter than a pcap file header"
        case .badMagic(let magic): "the file does not start with a pcap magic number (found 0x\(String(magic, radix: 16)))"
        }
    }
}

extension PcapFileSummary {
    /// Walks the records of a classic pcap file held in `bytes`, stopping at the first record that is cut short
    /// or whose captured length exceeds the file's snapshot length (both signs of a torn tail).
    public init(scanning bytes: UnsafeRawBufferPointer) throws(PcapFileError) {
        guard bytes.count >= PcapFileFormat.fileHeaderSize else { throw .tooShort }
        let rawMagic = bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        let swapped: Bool
        switch rawMagic {
        case PcapFileFormat.microsecondMagic, PcapFileFormat.nanosecondMagic: swapped = false
        case PcapFileFormat.microsecondMagic.byteSwapped, PcapFileFormat.nanosecondMagic.byteSwapped: swapped = true
        default: throw .badMagic(rawMagic)
        }
        let fractionDivisor: UInt32 = rawMagic == PcapFileFormat.nanosecondMagic || rawMagic == PcapFileFormat.nanosecondMagic.byteSwapped ? 1000 : 1
        func word(_ offset: Int) -> UInt32 {
            let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            return swapped ? value.byteSwapped : value
        }
        let snapshotLength = word(16)
        let linkType = word(20)
        var offset = PcapFileFormat.fileHeaderSize
        var count = 0
        var first: PacketTime?
        var last: PacketTime?
        // A zero snaplen would make every record look torn; libpcap treats 0 as "the maximum".
        let maximumCaptured = snapshotLength == 0 ? UInt32(262_144) : max(snapshotLength, 262_144)
        while bytes.count - offset >= PcapFileFormat.recordHeaderSize {
            let captured = word(offset + 8)
            guard captured <= maximumCaptured else { break }
            let end = offset + PcapFileFormat.recordHeaderSize + Int(captured)
            guard end <= bytes.count else { break }
            last = PacketTime(seconds: word(offset), microseconds: word(offset + 4) / fractionDivisor)
            if first == nil { first = last }
            offset = end
            count += 1
        }
        self.init(
            packetCount: count, validLength: offset, tornBytes: bytes.count - offset,
            snapshotLength: snapshotLength, linkType: linkType, firstPacketTime: first, lastPacketTime: last)
    }
}
