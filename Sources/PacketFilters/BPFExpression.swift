/// Where a capture runs, which decides whether its expression can tell the packets the target sent from
/// those it received.
public enum CaptureDevice: Sendable, Equatable {
    /// libpcap's `any` device, whose Linux cooked header records each packet's direction.
    case any
    /// One named interface. libpcap 1.10 reads the direction there only inside the kernel, and re-runs the
    /// filter in user space on the packets of the ring block in use when it is installed, where that read
    /// fails and drops them; so there a filter matches its sides in both directions.
    case interface
}

/// Compiles filters to a libpcap filter expression (the syntax tcpdump takes).
///
/// "Local" is the capture target's side. On the `any` device a filter matches a packet the target sent
/// going local → remote (source on the local side), and one it received going remote → local; a packet on
/// loopback, where the target is both ends, matches either way. On a named interface the direction is not
/// known and a packet matches either way. Every primitive is built from typed values with fixed keywords,
/// so user text never reaches the expression.
public enum BPFExpression {
    /// The libpcap filter expression that captures exactly the packets the filters describe;
    /// nil when nothing is restricted (an empty list, or a filter with no field set), which
    /// means "capture everything".
    ///
    /// Filters are expected to have passed `FilterList.parse` or `FilterList.validate`.
    /// Should one not, it fails closed: that filter selects no packet, and if none is left
    /// the result is `less 0`, which no packet satisfies.
    public static func make(for filters: [PacketCaptureFilter], on device: CaptureDevice) -> String? {
        guard !filters.isEmpty else { return nil }
        var alternatives: [BPFNode] = []
        for (index, filter) in filters.enumerated() {
            guard let spec = try? FilterSpec(filter, position: index + 1) else { continue }
            guard let condition = condition(for: spec, on: device) else { return nil }
            if !alternatives.contains(condition) { alternatives.append(condition) }
        }
        guard !alternatives.isEmpty else { return "less 0" }
        return BPFNode.any(alternatives).rendered(nested: false)
    }

    /// The condition for one filter; nil when it matches every packet.
    private static func condition(for spec: FilterSpec, on device: CaptureDevice) -> BPFNode? {
        var parts: [BPFNode] = []
        switch spec.protocol {
        case .tcp: parts.append(.primitive("tcp"))
        case .udp: parts.append(.primitive("udp"))
        // Ports exist only for TCP and UDP here; libpcap's bare `port` would also take SCTP.
        case .any where spec.hasPorts: parts.append(.any([.primitive("tcp"), .primitive("udp")]))
        case .any: break
        }
        /// The conditions on a packet going from one side to the other: that side's addresses and ports as source.
        func oneWay(from: (AddressSet?, PortSet?), to: (AddressSet?, PortSet?)) -> [BPFNode] {
            [
                from.0.map { addresses($0, .source) }, to.0.map { addresses($0, .destination) },
                from.1.map { ports($0, .source) }, to.1.map { ports($0, .destination) },
            ].compactMap { $0 }
        }
        let local = (spec.localAddresses, spec.localPorts)
        let remote = (spec.remoteAddresses, spec.remotePorts)
        let localToRemote = oneWay(from: local, to: remote)
        let remoteToLocal = oneWay(from: remote, to: local)
        if !localToRemote.isEmpty {
            switch device {
            case .interface:
                parts.append(.any([.all(localToRemote), .all(remoteToLocal)]))
            case .any:
                parts.append(.any([
                    .all([.primitive("outbound")] + localToRemote),
                    .all([.primitive("inbound")] + remoteToLocal),
                    .all([loopback] + localToRemote),
                ]))
            }
        }
        return parts.isEmpty ? nil : .all(parts)
    }

    /// A packet on loopback, where both ends are the target. libpcap keeps only the received copy there
    /// (the kernel shows it each packet twice), and the cooked header's device type cannot be read in the
    /// kernel, so loopback is known by its addresses: a 127.0.0.0/8 source, or the same source and
    /// destination (the source Linux picks for a connection to one of its own addresses).
    private static let loopback = BPFNode.any([
        .primitive("ip src net 127.0.0.0/8"),
        .primitive("ip[12:4] = ip[16:4]"),
        .all([8, 12, 16, 20].map { .primitive("ip6[\($0):4] = ip6[\($0 + 16):4]") }),
    ])

    private enum Direction: String {
        case source = "src"
        case destination = "dst"
    }

    /// `ip`/`ip6` is always written: a bare `host` or `net` would also match ARP and RARP
    /// packets carrying the address, which are not IP traffic.
    private static func addresses(_ set: AddressSet, _ direction: Direction) -> BPFNode {
        let ipv4 = set.ipv4.flatMap(\.cidrBlocks).map {
            addressPrimitive("ip \(direction.rawValue)", IPAddress.v4($0.base), $0.prefixLength, hostPrefix: 32)
        }
        let ipv6 = set.ipv6.flatMap(\.cidrBlocks).map {
            addressPrimitive("ip6 \(direction.rawValue)", IPAddress.v6($0.base), $0.prefixLength, hostPrefix: 128)
        }
        return .any(ipv4 + ipv6)
    }

    /// `host` for a single address, `net` for a wider block (libpcap refuses host bits in `net`,
    /// which the decomposition never leaves).
    private static func addressPrimitive(
        _ qualifiers: String, _ base: IPAddress, _ prefixLength: Int, hostPrefix: Int
    ) -> BPFNode {
        prefixLength == hostPrefix
            ? .primitive("\(qualifiers) host \(base)")
            : .primitive("\(qualifiers) net \(base)/\(prefixLength)")
    }

    private static func ports(_ set: PortSet, _ direction: Direction) -> BPFNode {
        .any(set.ranges.map { range in
            range.lowerBound == range.upperBound
                ? .primitive("\(direction.rawValue) port \(range.lowerBound)")
                : .primitive("\(direction.rawValue) portrange \(range.lowerBound)-\(range.upperBound)")
        })
    }
}

/// A filter expression tree. libpcap gives `and` and `or` the same precedence, so every
/// group of two or more is parenthesised when nested.
indirect enum BPFNode: Equatable, Sendable {
    case primitive(String)
    case all([BPFNode])
    case any([BPFNode])

    func rendered(nested: Bool) -> String {
        let children: [BPFNode]
        let joiner: String
        switch self {
        case .primitive(let text): return text
        case .all(let nodes): (children, joiner) = (nodes, " and ")
        case .any(let nodes): (children, joiner) = (nodes, " or ")
        }
        guard children.count != 1 else { return children[0].rendered(nested: nested) }
        let text = children.map { $0.rendered(nested: true) }.joined(separator: joiner)
        return nested ? "(\(text))" : text
    }
}
