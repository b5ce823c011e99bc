/// A filter's meaning as typed sets. Validation and the BPF builder work from this, never
/// from the user's text, so nothing typed into a field can reach libpcap's syntax.
struct FilterSpec: Equatable, Sendable {
    var `protocol`: FilterProtocol
    /// nil means the field is unset and matches anything.
    var localAddresses: AddressSet?
    var remoteAddresses: AddressSet?
    var localPorts: PortSet?
    var remotePorts: PortSet?

    /// Checks every field of the filter at `position` (1-based, for messages).
    init(_ filter: PacketCaptureFilter, position: Int) throws(FilterError) {
        self.protocol = filter.protocol
        let parseAddresses = AddressSet.init(parsing:)
        let parsePorts = PortSet.init(parsing:)
        localAddresses = try Self.parse(filter.localIPAddress, .localIPAddress, position, parseAddresses)
        remoteAddresses = try Self.parse(filter.remoteIPAddress, .remoteIPAddress, position, parseAddresses)
        localPorts = try Self.parse(filter.localPort, .localPort, position, parsePorts)
        remotePorts = try Self.parse(filter.remotePort, .remotePort, position, parsePorts)
        if let local = localAddresses, let remote = remoteAddresses {
            localAddresses = local.keepingFamilies(of: remote)
            remoteAddresses = remote.keepingFamilies(of: local)
            // libpcap refuses an expression that can match nothing, and so should we.
            guard localAddresses?.isEmpty == false else {
                throw FilterError(position: position,
                    "localIPAddress and remoteIPAddress have no address family in common (IPv4 on one side, "
                    + "IPv6 on the other), so no packet can match")
            }
        }
    }

    var hasPorts: Bool { localPorts != nil || remotePorts != nil }

    /// Address blocks plus port ranges: what the filter's expression grows with.
    var conditionCount: Int {
        (localAddresses?.blockCount ?? 0) + (remoteAddresses?.blockCount ?? 0)
            + (localPorts?.ranges.count ?? 0) + (remotePorts?.ranges.count ?? 0)
    }

    /// An empty or blank value counts as unset, as az's older output wrote unset fields as "".
    private static func parse<Value>(
        _ text: String?,
        _ field: FilterField,
        _ position: Int,
        _ parser: (String) throws(ValueProblem) -> Value
    ) throws(FilterError) -> Value? {
        guard let text else { return nil }
        let value = trimmed(text)
        guard !value.isEmpty else { return nil }
        do throws(ValueProblem) {
            return try parser(value)
        } catch {
            throw FilterError(position: position, field: field, error)
        }
    }
}
