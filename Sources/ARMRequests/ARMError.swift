import ControlPlane
import HTTPTypes

/// An error as ARM sends it: an HTTP status and `{"error":{"code","message","target"}}`.
///
/// Statuses are chosen so that the real clients react as they do against Azure: 401 raises
/// ClientAuthenticationError, 404 ResourceNotFoundError, 409 ResourceExistsError. 408, 429 and 5xx
/// are avoided for deterministic failures, because azure-core retries them.
public struct ARMError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// The request field at fault, as a path into the body (`properties.timeLimitInSeconds`).
    public var target: String?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, target: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.target = target
    }

    /// The operations' error as ARM sends it: its status, Azure's code, and the field below `properties`.
    public init(_ error: PcapCtlError) {
        let target = error.parameter.map { parameter in
            switch parameter {
            case "name": "packetCaptureName"
            case "location": "networkWatcherName"
            case "resourceGroup": "properties.target"
            default: "properties.\(parameter)"
            }
        }
        let code = error.code ?? (error.kind == .failure ? "InternalServerError" : PcapCtlError.invalidRequestCode)
        let message = target.map { "\($0): \(error.message)" } ?? error.message
        self.init(HTTPResponse.Status(code: error.httpStatus), code, message, target: target)
    }

    /// A body field that breaks a rule: 400 with Azure's code for invalid packet capture properties.
    public static func invalidProperty(_ target: String, _ message: String) -> ARMError {
        ARMError(.badRequest, PcapCtlError.invalidRequestCode, "\(target): \(message)", target: target)
    }

    public static func badRequest(_ code: String, _ message: String, target: String? = nil) -> ARMError {
        ARMError(.badRequest, code, message, target: target)
    }

    public static func notFound(_ code: String, _ message: String) -> ARMError {
        ARMError(.notFound, code, message)
    }

    public static let unauthenticated = ARMError(
        .unauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")

    public var body: ErrorBody { ErrorBody(error: .init(code: code, message: message, target: target)) }

    public struct ErrorBody: Encodable, Sendable {
        public struct Detail: Encodable, Sendable {
            public var code: String
            public var message: String
            public var target: String?
        }
        public var error: Detail
    }
}
