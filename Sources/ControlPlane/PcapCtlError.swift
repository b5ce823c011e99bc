/// The one error every layer throws and every front end renders: the CLI as one stderr line and an exit
/// code, the daemon as an HTTP status and ARM's `{"error":{"code","message","target"}}` body.
///
/// It names what went wrong neutrally: `parameter` is the request field as ARM spells it below
/// `properties` (`storageLocation.filePath`, `timeLimitInSeconds`), which the CLI shows as its flag
/// (`--file-path`) and the daemon as `properties.storageLocation.filePath`.
public struct PcapCtlError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Bad input: an unknown flag, a value out of range, a malformed filter. Refused before anything is written.
        case usage
        /// The named capture (or target) does not exist.
        case notFound
        /// The request collides with what exists: the name is taken, the session limit is reached, the
        /// capture is still running.
        case conflict
        /// A valid request this host cannot carry out: a destination that cannot be written, a filter libpcap refuses.
        case unprocessable
        /// The environment failed: a file system error, a dead agent.
        case failure
    }

    public var kind: Kind
    /// Azure's error code where Azure has one (`PacketCaptureExistingAlready`, `ResourceNotFound`, ...).
    public var code: String?
    /// The request field the error concerns, as a path below ARM's `properties`.
    public var parameter: String?
    /// One sentence for the user, without the flag or code in front.
    public var message: String
    /// az's own wording, for the few errors az words around its flags (`usage error: --storage-account ...`).
    public var commandLineMessage: String?

    public init(_ kind: Kind, code: String? = nil, parameter: String? = nil, _ message: String, commandLineMessage: String? = nil) {
        self.kind = kind
        self.code = code
        self.parameter = parameter
        self.message = message
        self.commandLineMessage = commandLineMessage
    }

    /// Azure's code for a request field it refuses.
    public static let invalidRequestCode = "InvalidRequestPropertiesInPacketCaptureRequest"
    public static let notFoundCode = "ResourceNotFound"

    public static func usage(_ parameter: String?, _ message: String, commandLineMessage: String? = nil) -> Self {
        Self(.usage, code: invalidRequestCode, parameter: parameter, message, commandLineMessage: commandLineMessage)
    }

    /// A command-line mistake that no request field names (an unknown flag, a missing value).
    public static func usage(_ message: String) -> Self { Self(.usage, code: invalidRequestCode, message) }

    public static func notFound(parameter: String? = nil, _ message: String) -> Self {
        Self(.notFound, code: notFoundCode, parameter: parameter, message)
    }

    public static func conflict(code: String, _ message: String) -> Self { Self(.conflict, code: code, message) }

    public static func failure(_ message: String) -> Self { Self(.failure, message) }

    public var description: String { message }

    public var exitCode: Int32 {
        switch kind {
        case .usage: ExitCode.usage
        case .notFound: ExitCode.notFound
        case .conflict, .unprocessable, .failure: ExitCode.failure
        }
    }

    /// The HTTP status a server answers with. Deterministic failures avoid the statuses that Azure's
    /// clients retry (408, 429, 500, 502-504): only an internal failure is a 500.
    public var httpStatus: Int {
        switch kind {
        case .usage, .unprocessable: 400
        case .notFound: 404
        case .conflict: 409
        case .failure: 500
        }
    }
}

/// The exit codes pcapctl documents (docs/reference.md).
public enum ExitCode {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 2
    public static let notFound: Int32 = 3
}
