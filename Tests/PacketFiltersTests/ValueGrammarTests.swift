import Testing
@testable import PacketFilters

@Suite("Value grammar")
struct ValueGrammarTests {
    private func ipv4(_ text: String) -> UInt32 {
        IPAddress.parseIPv4(text) ?? 0
    }

    private func ipv6(_ text: String) -> UInt128 {
        IPAddress.parseIPv6(text) ?? 0
    }

    @Test func singleIPv4Address() throws {
        let set = try AddressSet(parsing: "10.0.0.4")
        #expect(set == AddressSet(ipv4: [ipv4("10.0.0.4")...ipv4("10.0.0.4")], ipv6: []))
    }

    @Test func ipv4Range() throws {
        let set = try AddressSet(parsing: "10.0.0.1-10.0.0.255")
        #expect(set.ipv4 == [ipv4("10.0.0.1")...ipv4("10.0.0.255")])
        #expect(set.ipv6.isEmpty)
    }

    @Test func rangeWithSpacesAroundTheDash() throws {
        #expect(try AddressSet(parsing: "10.0.0.1 - 10.0.0.3").ipv4 == [ipv4("10.0.0.1")...ipv4("10.0.0.3")])
        #expect(try PortSet(parsing: "80 - 90").ranges == [80...90])
    }

    @Test func singleAddressRange() throws {
        #expect(try AddressSet(parsing: "10.0.0.7-10.0.0.7").ipv4 == [ipv4("10.0.0.7")...ipv4("10.0.0.7")])
    }

    @Test("semicolon and comma lists, with an optional trailing separator", arguments: [
        "10.0.0.1;10.0.0.5", "10.0.0.1;10.0.0.5;", "10.0.0.1, 10.0.0.5", "10.0.0.1 ,10.0.0.5,", "10.0.0.5;10.0.0.1",
    ])
    func addressLists(value: String) throws {
        let set = try AddressSet(parsing: value)
        #expect(set.ipv4 == [ipv4("10.0.0.1")...ipv4("10.0.0.1"), ipv4("10.0.0.5")...ipv4("10.0.0.5")])
    }

    @Test func cidrBlocks() throws {
        #expect(try AddressSet(parsing: "10.0.0.0/24").ipv4 == [ipv4("10.0.0.0")...ipv4("10.0.0.255")])
        #expect(try AddressSet(parsing: "0.0.0.0/0").ipv4 == [0...UInt32.max])
        #expect(try AddressSet(parsing: "10.0.0.9/32").ipv4 == [ipv4("10.0.0.9")...ipv4("10.0.0.9")])
        #expect(try AddressSet(parsing: "2001:db8::/32").ipv6 == [ipv6("2001:db8::")...ipv6("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")])
        #expect(try AddressSet(parsing: "::/0").ipv6 == [0...UInt128.max])
    }

    @Test func ipv6SingleRangeAndList() throws {
        #expect(try AddressSet(parsing: "2001:db8::1").ipv6 == [ipv6("2001:db8::1")...ipv6("2001:db8::1")])
        #expect(try AddressSet(parsing: "2001:db8::1-2001:db8::ff").ipv6 == [ipv6("2001:db8::1")...ipv6("2001:db8::ff")])
        let list = try AddressSet(parsing: "2001:db8::1;fe80::1;")
        #expect(list.ipv6 == [ipv6("2001:db8::1")...ipv6("2001:db8::1"), ipv6("fe80::1")...ipv6("fe80::1")])
    }

    @Test func ipv6ComparesNumericallyAcrossNotations() throws {
        let set = try AddressSet(parsing: "2001:DB8:0:0:0:0:0:1 - 2001:db8::00ff")
        #expect(set.contains(.v6(ipv6("2001:db8::80"))))
        #expect(!set.contains(.v6(ipv6("2001:db8::100"))))
    }

    @Test func familiesMayBeMixedInOneList() throws {
        let set = try AddressSet(parsing: "10.0.0.4; 2001:db8::/126 ;10.0.0.8-10.0.0.9")
        #expect(set.ipv4 == [ipv4("10.0.0.4")...ipv4("10.0.0.4"), ipv4("10.0.0.8")...ipv4("10.0.0.9")])
        #expect(set.ipv6 == [ipv6("2001:db8::")...ipv6("2001:db8::3")])
    }

    @Test func overlappingAndAdjacentItemsAreMerged() throws {
        let set = try AddressSet(parsing: "10.0.0.0/30;10.0.0.4;10.0.0.2-10.0.0.9;10.0.0.20")
        #expect(set.ipv4 == [ipv4("10.0.0.0")...ipv4("10.0.0.9"), ipv4("10.0.0.20")...ipv4("10.0.0.20")])
        #expect(try PortSet(parsing: "443;80-90;91;85").ranges == [80...91, 443...443])
    }

    @Test func portForms() throws {
        #expect(try PortSet(parsing: "80").ranges == [80...80])
        #expect(try PortSet(parsing: "80-1024").ranges == [80...1024])
        #expect(try PortSet(parsing: "80;443;").ranges == [80...80, 443...443])
        #expect(try PortSet(parsing: "80, 443").ranges == [80...80, 443...443])
        #expect(try PortSet(parsing: "80;443;8000-8080").ranges == [80...80, 443...443, 8000...8080])
        #expect(try PortSet(parsing: "0").ranges == [0...0])
        #expect(try PortSet(parsing: "0-65535").ranges == [0...65535])
        #expect(try PortSet(parsing: "0080").ranges == [80...80])
    }

    @Test func setMembership() throws {
        let addresses = try AddressSet(parsing: "10.0.0.1-10.0.0.6")
        #expect(!addresses.contains(.v4(ipv4("10.0.0.0"))))
        #expect(addresses.contains(.v4(ipv4("10.0.0.1"))))
        #expect(addresses.contains(.v4(ipv4("10.0.0.6"))))
        #expect(!addresses.contains(.v4(ipv4("10.0.0.7"))))
        #expect(!addresses.contains(.v6(0)))
        let ports = try PortSet(parsing: "80-90")
        #expect(ports.contains(80) && ports.contains(90) && !ports.contains(79) && !ports.contains(91))
    }

    @Test func listItemsAreCappedAt256() throws {
        let items = (1...257).map(String.init).joined(separator: ";")
        #expect(throws: ValueProblem(reason: "the list has 257 items (at most 256)")) { try PortSet(parsing: items) }
    }

    @Test func blockCountsFollowTheDecomposition() throws {
        #expect(try AddressSet(parsing: "::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe").blockCount == 254)
        #expect(try AddressSet(parsing: "10.0.0.1-10.0.0.6;10.0.0.0/8;::/0").blockCount == 2)
    }
}
