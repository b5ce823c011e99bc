/// The transport protocol a filter selects, as Azure's `PacketCaptureFilter` names it.
///
/// The set is closed on purpose: every member has ports, so port fields are meaningful
/// whatever the protocol. `any` with ports means "TCP or UDP".
public enum FilterProtocol: String, Sendable, Codable, CaseIterable {
    case tcp = "TCP"
    case udp = "UDP"
    case any = "Any"
}

/// One entry of a capture's filter list, in Azure's notation.
///
/// Values are kept as the user wrote them (trimmed) so that `show` prints what was asked for;
/// the typed meaning is derived again whenever it is needed (see `FilterList.validate`).
public struct PacketCaptureFilter: Sendable, Equatable, Codable {
    public var `protocol`: FilterProtocol
    /// Addresses on the capture target's side: a value, a range, a CIDR block or a list of these.
    public var localIPAddress: String?
    /// Addresses on the other end of the conversation.
    public var remoteIPAddress: String?
    /// Ports on the capture target's side: a port, a range or a list of these.
    public var localPort: String?
    /// Ports on the other end of the conversation.
    public var remotePort: String?

    public init(
        protocol: FilterProtocol = .any,
        localIPAddress: String? = nil,
        remoteIPAddress: String? = nil,
        localPort: String? = nil,
        remotePort: String? = nil
    ) {
        self.protocol = `protocol`
        self.localIPAddress = localIPAddress
        self.remoteIPAddress = remoteIPAddress
        self.localPort = localPort
        self.remotePort = remotePort
    }

    /// Canonical keys only: this is the form az prints and the store keeps.
    enum CodingKeys: String, CodingKey {
        case `protocol`
        case localIPAddress
        case remoteIPAddress
        case localPort
        case remotePort
    }

    /// A missing `protocol` decodes as `Any`, matching the JSON notation's default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.protocol = try container.decodeIfPresent(FilterProtocol.self, forKey: .protocol) ?? .any
        self.localIPAddress = try container.decodeIfPresent(String.self, forKey: .localIPAddress)
        self.remoteIPAddress = try container.decodeIfPresent(String.self, forKey: .remoteIPAddress)
        self.localPort = try container.decodeIfPresent(String.self, forKey: .localPort)
        self.remotePort = try container.decodeIfPresent(String.self, forKey: .remotePort)
    }

    /// Unset fields are omitted rather than written as `null` or `""`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.protocol, forKey: .protocol)
        try container.encodeIfPresent(localIPAddress, forKey: .localIPAddress)
        try container.encodeIfPresent(remoteIPAddress, forKey: .remoteIPAddress)
        try container.encodeIfPresent(localPort, forKey: .localPort)
        try container.encodeIfPresent(remotePort, forKey: .remotePort)
    }
}
