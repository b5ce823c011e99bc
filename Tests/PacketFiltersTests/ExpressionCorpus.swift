import TestSupport
import PacketFilters

/// Filter lists whose expressions the tests pin down, plus random ones; a libpcap-backed
/// check (where one is wired) compiles every expression made from them.
enum ExpressionCorpus {
    /// Filters as the user writes them and the exact expression they must compile to.
    static let golden: [(json: String, expression: String?)] = [
        ("[]", nil),
        ("[{}]", nil),
        (#"[{"protocol": "", "localIPAddress": ""}]"#, nil),
        (#"[{"protocol": "TCP"}, {}]"#, nil),
        (#"[{"protocol": "TCP"}]"#, "tcp"),
        (#"[{"protocol": "TCP"}, {"protocol": "tcp"}]"#, "tcp"),
        (#"[{"protocol": "UDP", "localPort": "53"}]"#, "udp and (src port 53 or dst port 53)"),
        (
            #"[{"protocol": "TCP", "localIPAddress": "10.0.0.4", "remotePort": "443"}]"#,
            "tcp and ((ip src host 10.0.0.4 and dst port 443) or (ip dst host 10.0.0.4 and src port 443))"
        ),
        (#"[{"localIPAddress": "10.0.0.0/24"}]"#, "ip src net 10.0.0.0/24 or ip dst net 10.0.0.0/24"),
        (
            #"[{"remoteIPAddress": "10.0.0.1-10.0.0.6"}]"#,
            "(ip dst host 10.0.0.1 or ip dst net 10.0.0.2/31 or ip dst net 10.0.0.4/31 or ip dst host 10.0.0.6)"
                + " or (ip src host 10.0.0.1 or ip src net 10.0.0.2/31 or ip src net 10.0.0.4/31 or ip src host 10.0.0.6)"
        ),
        (
            #"[{"protocol": "any", "localPort": "80;443;8000-8080"}]"#,
            "(tcp or udp) and ((src port 80 or src port 443 or src portrange 8000-8080)"
                + " or (dst port 80 or dst port 443 or dst portrange 8000-8080))"
        ),
        (
            #"[{"protocol": "UDP", "localIPAddress": "2001:DB8::1", "remoteIPAddress": "2001:db8::/32"}]"#,
            "udp and ((ip6 src host 2001:db8::1 and ip6 dst net 2001:db8::/32)"
                + " or (ip6 src net 2001:db8::/32 and ip6 dst host 2001:db8::1))"
        ),
        (
            #"[{"protocol": "TCP", "remotePort": "22"}, {"protocol": "UDP", "remotePort": "53"}]"#,
            "(tcp and (dst port 22 or src port 22)) or (udp and (dst port 53 or src port 53))"
        ),
        (
            #"[{"localIPAddress": "10.0.0.4;::1"}]"#,
            "(ip src host 10.0.0.4 or ip6 src host ::1) or (ip dst host 10.0.0.4 or ip6 dst host ::1)"
        ),
        (#"[{"protocol": "TCP", "localPort": "80,81, 82-90;85"}]"#, "tcp and (src portrange 80-90 or dst portrange 80-90)"),
        (#"[{"localIPAddress": "0.0.0.0-255.255.255.255"}]"#, "ip src net 0.0.0.0/0 or ip dst net 0.0.0.0/0"),
        (
            #"[{"localIPAddress": "10.0.0.4;2001:db8::4", "remoteIPAddress": "10.0.0.0/8"}]"#,
            "(ip src host 10.0.0.4 and ip dst net 10.0.0.0/8) or (ip src net 10.0.0.0/8 and ip dst host 10.0.0.4)"
        ),
        (
            #"[{"protocol": "TCP", "localIPAddress": "10.0.0.4", "remoteIPAddress": "192.168.1.0/24", "#
                + #""localPort": "8080", "remotePort": "1024-65535"}]"#,
            "tcp and ((ip src host 10.0.0.4 and ip dst net 192.168.1.0/24 and src port 8080 and dst portrange 1024-65535)"
                + " or (ip src net 192.168.1.0/24 and ip dst host 10.0.0.4 and src portrange 1024-65535 and dst port 8080))"
        ),
    ]

    /// Every filter list the corpus holds: the golden ones and a fixed set of random ones.
    static func filterLists() throws -> [[PacketCaptureFilter]] {
        var random = RandomFilters(seed: 0xC0FFEE)
        let randomLists = (0..<300).map { _ in random.filterList(count: 1...4) }
        return try golden.map { try FilterList.parse(json: $0.json) } + randomLists
    }
}

/// Random filters and packets over a small address and port space, so that random packets
/// often land on range edges and filters often match.
struct RandomFilters {
    private var generator: SeededGenerator

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    /// A valid list; invalid draws (such as IPv4-only local with IPv6-only remote) are redrawn.
    mutating func filterList(count: ClosedRange<Int>) -> [PacketCaptureFilter] {
        while true {
            let filters = (0..<Int.random(in: count, using: &generator)).map { _ in filter() }
            if (try? FilterList.validate(filters)) != nil { return filters }
        }
    }

    private mutating func filter() -> PacketCaptureFilter {
        let protocols: [FilterProtocol] = [.tcp, .udp, .any]
        return PacketCaptureFilter(
            protocol: protocols.randomElement(using: &generator) ?? .any,
            localIPAddress: chance(0.5) ? addressValue() : nil,
            remoteIPAddress: chance(0.5) ? addressValue() : nil,
            localPort: chance(0.4) ? portValue() : nil,
            remotePort: chance(0.4) ? portValue() : nil)
    }

    /// IPv4 in 10.0.0.0/23, IPv6 in 2001:db8::/119: 512 addresses per family.
    mutating func address(ipv6: Bool) -> String {
        let offset = Int.random(in: 0..<512, using: &generator)
        return ipv6 ? "2001:db8::\(String(offset, radix: 16))" : "10.0.\(offset >> 8).\(offset & 0xFF)"
    }

    mutating func packet() -> TestPacket {
        let ipv6 = chance(0.4)
        let protocols: [UInt8] = [6, 6, 17, 17, 132, ipv6 ? 58 : 1]
        return TestPacket(
            src: address(ipv6: ipv6), dst: address(ipv6: ipv6),
            proto: protocols.randomElement(using: &generator) ?? 6,
            srcPort: UInt16.random(in: 75...95, using: &generator),
            dstPort: UInt16.random(in: 75...95, using: &generator),
            isLaterFragment: chance(0.05))
    }

    /// Mostly one family per value, sometimes both, so family trimming is exercised too.
    private mutating func addressValue() -> String {
        let ipv6 = chance(0.4)
        let mixed = chance(0.2)
        let items = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
            addressItem(ipv6: mixed ? chance(0.5) : ipv6)
        }
        return items.joined(separator: chance(0.5) ? ";" : ", ")
    }

    private mutating func addressItem(ipv6: Bool) -> String {
        switch Int.random(in: 0..<3, using: &generator) {
        case 0:
            return address(ipv6: ipv6)
        case 1:
            let bounds = [Int.random(in: 0..<512, using: &generator), Int.random(in: 0..<512, using: &generator)]
            let (low, high) = (bounds.min() ?? 0, bounds.max() ?? 0)
            return ipv6
                ? "2001:db8::\(String(low, radix: 16))-2001:db8::\(String(high, radix: 16))"
                : "10.0.\(low >> 8).\(low & 0xFF)-10.0.\(high >> 8).\(high & 0xFF)"
        default:
            let hostBits = Int.random(in: 0...9, using: &generator)
            let base = (Int.random(in: 0..<512, using: &generator) >> hostBits) << hostBits
            return ipv6
                ? "2001:db8::\(String(base, radix: 16))/\(128 - hostBits)"
                : "10.0.\(base >> 8).\(base & 0xFF)/\(32 - hostBits)"
        }
    }

    private mutating func portValue() -> String {
        let items = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
            let low = Int.random(in: 75...95, using: &generator)
            return chance(0.5) ? "\(low)" : "\(low)-\(Int.random(in: low...95, using: &generator))"
        }
        return items.joined(separator: ";")
    }

    private mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &generator) < probability
    }
}
