/// Why libpcap could not capture, with libpcap's own message kept for the status.
public struct CaptureError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The process lacks CAP_NET_RAW (or CAP_NET_ADMIN for some settings).
        case permissionDenied
        /// The interface does not exist in the capture's network namespace.
        case noSuchDevice
        /// The filter expression did not compile.
        case badFilter
        /// Any other libpcap failure, or the interface going away mid-capture.
        case failed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
