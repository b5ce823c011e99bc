import Testing
import TestSupport
@testable import PacketFilters

@Suite("IP addresses")
struct IPAddressTests {
    @Test("IPv6 text forms parse to the same number", arguments: [
        ("::", UInt128(0)),
        ("::1", UInt128(1)),
        ("0:0:0:0:0:0:0:1", UInt128(1)),
        ("1::", UInt128(1) << 112),
        ("2001:db8::ff00:42:8329", UInt128(0x2001_0db8_0000_0000_0000_ff00_0042_8329)),
        ("2001:0DB8:0000:0000:0000:FF00:0042:8329", UInt128(0x2001_0db8_0000_0000_0000_ff00_0042_8329)),
        ("::ffff:192.0.2.128", UInt128(0xffff_c000_0280)),
        ("1:2:3:4:5:6:1.2.3.4", UInt128(0x0001_0002_0003_0004_0005_0006_0102_0304)),
        ("1:2:3:4:5:6:7::", UInt128(0x0001_0002_0003_0004_0005_0006_0007_0000)),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", UInt128.max),
    ])
    func ipv6Parsing(text: String, value: UInt128) {
        #expect(IPAddress.parseIPv6(text) == value)
    }

    @Test func ipv4Parsing() {
        #expect(IPAddress.parseIPv4("0.0.0.0") == 0)
        #expect(IPAddress.parseIPv4("255.255.255.255") == UInt32.max)
        #expect(IPAddress.parseIPv4("10.0.0.4") == 0x0A00_0004)
        #expect(IPAddress.parseIPv4("10.0.0.04") == nil)
        #expect(IPAddress.parseIPv4("10.0.0.256") == nil)
        #expect(IPAddress.parseIPv4("10.0.0") == nil)
    }

    @Test("IPv6 is printed in RFC 5952 form", arguments: [
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("::ffff:192.0.2.128", "::ffff:c000:280"),
    ])
    func ipv6Formatting(text: String, canonical: String) throws {
        #expect(try IPAddress.parse(text).description == canonical)
    }

    @Test func formattingRoundTripsForRandomAddresses() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            // Clear random groups so zero runs of every length appear.
            var value = UInt128(generator.next()) << 64 | UInt128(generator.next())
            for group in 0..<8 where Bool.random(using: &generator) {
                value &= ~(UInt128(0xFFFF) << (16 * group))
            }
            #expect(try IPAddress.parse(IPAddress.v6(value).description) == .v6(value))
            let ipv4 = UInt32(truncatingIfNeeded: generator.next())
            #expect(try IPAddress.parse(IPAddress.v4(ipv4).description) == .v4(ipv4))
        }
    }
}
