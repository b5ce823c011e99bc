import Testing
import TestSupport

@Suite("Pcap decoder")
struct PcapDecoderTests {
    private let tcpPacket = TestPacket(src: "10.0.0.4", dst: "192.168.1.9", proto: 6, srcPort: 443, dstPort: 50000)
    private let udpPacket6 = TestPacket(src: "2001:db8::1", dst: "fe80::2", proto: 17, srcPort: 53, dstPort: 5353)

    private var tcpDecoded: DecodedPacket {
        DecodedPacket(ipVersion: 4, src: "10.0.0.4", dst: "192.168.1.9", proto: 6, srcPort: 443, dstPort: 50000)
    }

    @Test("both magics in both byte orders", arguments: [(false, false), (false, true), (true, false), (true, true)])
    func fileHeaderAndRecords(bigEndian: Bool, nanoseconds: Bool) throws {
        let writer = PcapFileWriter(linkType: 1, snaplen: 65535, bigEndian: bigEndian, nanoseconds: nanoseconds)
        let frame = tcpPacket.frame(linkType: 1)
        let bytes = writer.file(records: [(1_700_000_000, 123_456, frame, 1500), (1_700_000_001, 7, [1, 2, 3], nil)])
        let file = try PcapDecoder.parse(bytes)
        #expect(file.header == PcapFileHeader(
            versionMajor: 2, versionMinor: 4, snaplen: 65535, linkType: 1,
            hasNanosecondTimestamps: nanoseconds, isBigEndian: bigEndian))
        #expect(file.tornTailBytes == 0)
        #expect(file.records.count == 2)
        #expect(file.records[0] == PcapRecord(
            timestampSeconds: 1_700_000_000, timestampNanoseconds: nanoseconds ? 123_456 : 123_456_000,
            caplen: UInt32(frame.count), origLen: 1500, bytes: frame))
        #expect(file.records[1].bytes == [1, 2, 3])
        #expect(PcapDecoder.decodePacket(file.records[0].bytes, linkType: file.header.linkType) == tcpDecoded)
    }

    @Test func headerOnlyFileHasNoRecords() throws {
        let file = try PcapDecoder.parse(PcapFileWriter(linkType: 113).file(records: []))
        #expect(file.records.isEmpty && file.tornTailBytes == 0 && file.header.linkType == 113)
    }

    @Test func tornLastRecordIsTrimmedAndReported() throws {
        let bytes = PcapFileWriter(linkType: 1).file(records: [(1, 0, [1, 2, 3, 4], nil), (2, 0, [5, 6, 7, 8, 9], nil)])
        for cut in 1...20 {
            let file = try PcapDecoder.parse(Array(bytes.dropLast(cut)))
            #expect(file.records.count == 1)
            #expect(file.tornTailBytes == 21 - cut)
        }
    }

    @Test func malformedFilesThrow() {
        #expect(throws: PcapDecodeError.self) { try PcapDecoder.parse([]) }
        #expect(throws: PcapDecodeError.self) { try PcapDecoder.parse([UInt8](repeating: 0, count: 24)) }
        #expect(throws: PcapDecodeError.self) { try PcapDecoder.parse(Array(PcapFileWriter(linkType: 1).file(records: []).prefix(23))) }
        // A pcapng section header block is not a classic file.
        #expect(throws: PcapDecodeError.self) { try PcapDecoder.parse([0x0A, 0x0D, 0x0D, 0x0A] + [UInt8](repeating: 0, count: 28)) }
        var huge = PcapFileWriter(linkType: 1).file(records: [(1, 0, [1], nil)])
        huge.replaceSubrange(32..<36, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(throws: PcapDecodeError.self) { try PcapDecoder.parse(huge) }
        let badMicroseconds = PcapFileWriter(linkType: 1).file(records: [(1, 1_000_000, [1], nil)])
        #expect(throws: PcapDecodeError.self) { try PcapDecoder.parse(badMicroseconds) }
    }

    @Test("link types decode to the same 5-tuple", arguments: [UInt32(1), 101, 113, 276])
    func linkTypes(linkType: UInt32) {
        #expect(PcapDecoder.decodePacket(tcpPacket.frame(linkType: linkType), linkType: linkType) == tcpDecoded)
        #expect(PcapDecoder.decodePacket(udpPacket6.frame(linkType: linkType), linkType: linkType) == DecodedPacket(
            ipVersion: 6, src: "2001:db8::1", dst: "fe80::2", proto: 17, srcPort: 53, dstPort: 5353))
    }

    @Test func ethernetWithOneVLANTag() {
        let frame = PacketFrames.frame(tcpPacket.ipBytes, etherType: 0x0800, linkType: 1, vlan: 42)
        #expect(PcapDecoder.decodePacket(frame, linkType: 1) == tcpDecoded)
    }

    @Test func nonIPFramesHaveNoNetworkLayer() {
        let arp = PacketFrames.arpRequest(sender: "10.0.0.1", target: "10.0.0.4")
        #expect(PcapDecoder.decodePacket(arp, linkType: 1) == DecodedPacket())
        #expect(PcapDecoder.decodePacket(tcpPacket.ipBytes, linkType: 147) == DecodedPacket())
    }

    @Test func laterFragmentsHaveNoPorts() {
        for src in ["10.0.0.1", "2001:db8::1"] {
            let packet = TestPacket(src: src, dst: src, proto: 17, srcPort: 1, dstPort: 2, isLaterFragment: true)
            let decoded = PcapDecoder.decodePacket(packet.ipBytes, linkType: 101)
            #expect(decoded.proto == 17 && decoded.srcPort == nil && decoded.dstPort == nil)
        }
    }

    @Test func ipv6ExtensionHeadersAreFollowed() {
        let tcp = TestPacket(src: "2001:db8::1", dst: "2001:db8::2", proto: 6, srcPort: 80, dstPort: 81).ipBytes
        // Insert an 8-byte hop-by-hop header (next header 6) and point the fixed header at it.
        var bytes = Array(tcp[0..<40]) + [6, 0, 1, 4, 0, 0, 0, 0] + Array(tcp[40...])
        bytes[6] = 0
        #expect(PcapDecoder.decodePacket(bytes, linkType: 101) == DecodedPacket(
            ipVersion: 6, src: "2001:db8::1", dst: "2001:db8::2", proto: 6, srcPort: 80, dstPort: 81))
    }

    @Test func ipv4OptionsMoveTheTransportHeader() {
        let plain = tcpPacket.ipBytes
        var bytes = Array(plain[0..<20]) + [1, 1, 1, 0] + Array(plain[20...])
        bytes[0] = 0x46
        #expect(PcapDecoder.decodePacket(bytes, linkType: 101) == tcpDecoded)
    }

    @Test func truncatedPacketsKeepWhatIsThere() {
        let bytes = tcpPacket.frame(linkType: 1)
        #expect(PcapDecoder.decodePacket(Array(bytes.prefix(14 + 20 + 2)), linkType: 1)
            == DecodedPacket(ipVersion: 4, src: "10.0.0.4", dst: "192.168.1.9", proto: 6))
        for length in 0..<bytes.count {
            _ = PcapDecoder.decodePacket(Array(bytes.prefix(length)), linkType: 1)
        }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...120, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for linkType: UInt32 in [1, 101, 113, 276] {
                _ = PcapDecoder.decodePacket(bytes, linkType: linkType)
            }
            var file = PcapFileWriter(linkType: 1).file(records: [])
            file += bytes
            _ = try? PcapDecoder.parse(file)
            _ = try? PcapDecoder.parse(bytes)
        }
    }
}
