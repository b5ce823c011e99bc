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

    /// A body field that breaks a rule: 400 with Azure's code for invalid packet capture properties.
    public static func invalidProperty(_ target: String, _ message: String) -> ARMError {
        ARMError(.badRequest, "InvalidRequestPropertiesInPacketCaptureRequest", "\(target): \(message)", target: target)
    }

    public static func badRequest(_ code: String, _ message: String, target: String? = nil) -> ARMError {
        ARMError(.badRequest, code, message, target: target)
    }

    public static func notFound(_ code: String, _ message: String) -> ARMError {
        ARMError(.notFound, code, message)
    }

    public static let unauthenticated = ARMError(
        .unauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")

    var body: ErrorBody { ErrorBody(error: .init(code: code, message: message, target: target)) }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var target: String?
        }
        var error: Detail
    }
}
