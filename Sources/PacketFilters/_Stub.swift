// Temporary stand-in until the filters module lands.
public enum FilterProtocol: String, Sendable, Codable { case tcp = "TCP", udp = "UDP", any = "Any" }
public struct PacketCaptureFilter: Sendable, Equatable, Codable {
    public var `protocol`: FilterProtocol
    public var localIPAddress: String?
    public var remoteIPAddress: String?
    public var localPort: String?
    public var remotePort: String?
}
public struct FilterError: Error, Equatable, CustomStringConvertible { public var message: String; public var description: String { message } }
public enum FilterList {
    public static func parse(json text: String) throws(FilterError) -> [PacketCaptureFilter] { [] }
    public static func validate(_ filters: [PacketCaptureFilter]) throws(FilterError) {}
}
public enum BPFExpression { public static func make(for filters: [PacketCaptureFilter]) -> String? { nil } }
