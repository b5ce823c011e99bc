import Testing
import PacketFilters
import TestSupport

@Suite("Reference matcher")
struct ReferenceMatcherTests {
    private func captures(_ packet: TestPacket, _ json: String, linkType: UInt32 = 1) throws -> Bool {
        let decoded = PcapDecoder.decodePacket(packet.frame(linkType: linkType), linkType: linkType)
        return try ReferenceMatcher.captures(decoded, with: FilterList.parse(json: json))
    }

    private let outbound = TestPacket(src: "10.0.0.4", dst: "203.0.113.9", proto: 6, srcPort: 50000, dstPort: 443)
    private let inbound = TestPacket(src: "203.0.113.9", dst: "10.0.0.4", proto: 6, srcPort: 443, dstPort: 50000)

    @Test func bothDirectionsOfAConversationMatch() throws {
        let json = #"[{"protocol": "TCP", "localIPAddress": "10.0.0.4", "remotePort": "443"}]"#
        #expect(try captures(outbound, json))
        #expect(try captures(inbound, json))
    }

    @Test func sidesAreNotInterchangeable() throws {
        // 10.0.0.4 is local, so a packet from port 443 *on 10.0.0.4* is not the conversation asked for.
        let json = #"[{"protocol": "TCP", "localIPAddress": "10.0.0.4", "remotePort": "443"}]"#
        let wrongSide = TestPacket(src: "10.0.0.4", dst: "203.0.113.9", proto: 6, srcPort: 443, dstPort: 50000)
        #expect(try !captures(wrongSide, json))
    }

    @Test func protocolMustFit() throws {
        var udp = outbound
        udp.proto = 17
        #expect(try !captures(udp, #"[{"protocol": "TCP"}]"#))
        #expect(try captures(udp, #"[{"protocol": "UDP"}]"#))
        #expect(try captures(udp, #"[{"protocol": "Any", "remotePort": "443"}]"#))
    }

    @Test func anyWithPortsExcludesOtherTransports() throws {
        var sctp = outbound
        sctp.proto = 132
        #expect(try !captures(sctp, #"[{"remotePort": "443"}]"#))
        #expect(try captures(sctp, #"[{"localIPAddress": "10.0.0.4"}]"#))
    }

    @Test func anyWithoutFieldsMatchesNonIPTraffic() throws {
        let arp = PcapDecoder.decodePacket(PacketFrames.arpRequest(sender: "10.0.0.4", target: "10.0.0.1"), linkType: 1)
        #expect(try ReferenceMatcher.captures(arp, with: FilterList.parse(json: "[{}]")))
        #expect(try ReferenceMatcher.captures(arp, with: []))
        #expect(try !ReferenceMatcher.captures(arp, with: FilterList.parse(json: #"[{"localIPAddress": "10.0.0.4"}]"#)))
    }

    @Test func rangesAreInclusiveAtBothEnds() throws {
        let json = #"[{"remoteIPAddress": "203.0.113.9-203.0.113.20", "remotePort": "443-444"}]"#
        #expect(try captures(outbound, json))
        var outside = outbound
        outside.dst = "203.0.113.21"
        #expect(try !captures(outside, json))
        outside = outbound
        outside.dstPort = 445
        #expect(try !captures(outside, json))
    }

    @Test func ipv6AddressesCompareNumerically() throws {
        let packet = TestPacket(src: "2001:db8::10", dst: "2001:db8:1::1", proto: 17, srcPort: 53, dstPort: 9)
        #expect(try captures(packet, #"[{"localIPAddress": "2001:DB8::0-2001:db8::00ff", "localPort": 53}]"#))
        #expect(try !captures(packet, #"[{"localIPAddress": "2001:db8::11-2001:db8::ff"}]"#))
        #expect(try !captures(packet, #"[{"localIPAddress": "10.0.0.0/8"}]"#))
    }

    @Test func laterFragmentsMatchProtocolButNotPorts() throws {
        var fragment = outbound
        fragment.isLaterFragment = true
        #expect(try captures(fragment, #"[{"protocol": "TCP", "localIPAddress": "10.0.0.4"}]"#))
        #expect(try !captures(fragment, #"[{"protocol": "TCP", "remotePort": "443"}]"#))
    }

    @Test func anyFilterOfTheListIsEnough() throws {
        let json = #"[{"protocol": "UDP"}, {"remoteIPAddress": "203.0.113.0/24"}]"#
        #expect(try captures(outbound, json))
        #expect(try captures(inbound, json, linkType: 276))
    }
}
