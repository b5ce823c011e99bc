import PcapFormat
import Testing

@testable import PcapCtlServer

/// The summary endpoint's decoder, on packets built here byte by byte.
struct CaptureFileSummaryTests {
    /// A Linux cooked (v1) record: packet type, then an IPv4 UDP datagram from `source` to `destination`.
    func cookedUDP(outgoing: Bool, source: [UInt8], destination: [UInt8], sourcePort: UInt16, destinationPort: UInt16, payload: Int) -> [UInt8] {
        var packet: [UInt8] = [0, outgoing ? 4 : 0, 0x03, 0x04, 0, 6] + [UInt8](repeating: 0, count: 8) + [0x08, 0x00]
        let length = 20 + 8 + payload
        packet += [0x45, 0, UInt8(length >> 8), UInt8(length & 0xff), 0, 0, 0x40, 0, 64, 17, 0, 0] + source + destination
        packet += [UInt8(sourcePort >> 8), UInt8(sourcePort & 0xff), UInt8(destinationPort >> 8), UInt8(destinationPort & 0xff), 0, UInt8(8 + payload), 0, 0]
        return packet + [UInt8](repeating: 0x61, count: payload)
    }

    func file(_ packets: [(seconds: UInt32, bytes: [UInt8])]) -> [UInt8] {
        var bytes = PcapFileFormat.fileHeader(linkType: 113, snapshotLength: 262_144)
        for packet in packets {
            for word in [packet.seconds, 250_000, UInt32(packet.bytes.count), UInt32(packet.bytes.count)] {
                withUnsafeBytes(of: word.littleEndian) { bytes += $0 }
            }
            bytes += packet.bytes
        }
        return bytes
    }

    @Test func countsProtocolsAndMergesBothDirectionsOfAConversation() throws {
        let host: [UInt8] = [198, 18, 0, 1], peer: [UInt8] = [198, 18, 0, 2]
        let bytes = file([
            (100, cookedUDP(outgoing: true, source: host, destination: peer, sourcePort: 5000, destinationPort: 53, payload: 10)),
            (101, cookedUDP(outgoing: false, source: peer, destination: host, sourcePort: 53, destinationPort: 5000, payload: 30)),
            (102, [0, 0, 0x03, 0x04, 0, 6] + [UInt8](repeating: 0, count: 8) + [0x08, 0x06] + [UInt8](repeating: 0, count: 28)),
        ])
        let summary = try bytes.withUnsafeBytes { try CaptureFileSummary.summarize($0) }
        #expect(summary.packets == 3)
        #expect(summary.firstPacketTime == "1970-01-01T00:01:40.250000Z")
        #expect(summary.lastPacketTime == "1970-01-01T00:01:42.250000Z")
        #expect(summary.protocols.map(\.name) == ["UDP", "ARP"])
        #expect(summary.protocols[0].packets == 2)
        let talker = try #require(summary.topTalkers.first)
        #expect(summary.topTalkers.count == 1)
        #expect(talker.localAddress == "198.18.0.1" && talker.localPort == 5000)
        #expect(talker.remoteAddress == "198.18.0.2" && talker.remotePort == 53)
        #expect(talker.packets == 2)
        let wireBytes: UInt64 = 54 + 74  // each: cooked header 16, IPv4 20, UDP 8, payload 10 or 30
        #expect(talker.bytes == wireBytes)
    }

    @Test func writesIPv6AddressesTheShortWay() {
        let loopback: [UInt8] = [UInt8](repeating: 0, count: 15) + [1]
        let documentation: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
        #expect(loopback.withUnsafeBytes { CaptureFileSummary.Packet.ipv6($0, 0) } == "::1")
        #expect(documentation.withUnsafeBytes { CaptureFileSummary.Packet.ipv6($0, 0) } == "2001:db8::1:0:0:1")
    }

    @Test func aTruncatedRecordIsNotCounted() throws {
        var bytes = file([(1, cookedUDP(outgoing: true, source: [1, 1, 1, 1], destination: [2, 2, 2, 2], sourcePort: 1, destinationPort: 2, payload: 4))])
        bytes += [1, 2, 3]
        let summary = try bytes.withUnsafeBytes { try CaptureFileSummary.summarize($0) }
        #expect(summary.packets == 1)
    }
}
