import ARMRequests
import ControlPlane
import HTTPTypes
import Hummingbird

/// The OAuth 2.0 endpoints az's MSAL and the SDK's credential use: OpenID discovery and the
/// client-credentials token grant, in Microsoft identity platform's v2.0 shape.
enum OAuthEndpoints {
    struct Discovery: Encodable {
        var issuer: String
        var authorization_endpoint: String
        var token_endpoint: String
        var token_endpoint_auth_methods_supported = ["client_secret_post"]
        var grant_types_supported = ["client_credentials"]
        var response_types_supported = ["token"]
        var tenant_region_scope: String? = nil
    }

    static func discovery(base: String, tenant: String) -> Discovery {
        Discovery(
            issuer: "\(base)/\(tenant)/v2.0",
            authorization_endpoint: "\(base)/\(tenant)/oauth2/v2.0/authorize",
            token_endpoint: "\(base)/\(tenant)/oauth2/v2.0/token")
    }

    struct TokenResponse: Encodable {
        var token_type = "Bearer"
        var expires_in: Int
        var ext_expires_in: Int
        var access_token: String
    }

    /// An OAuth error body (`error`, `error_description`), as MSAL reads it.
    struct ErrorResponse: Encodable {
        var error: String
        var error_description: String
    }

    /// `grant_type=client_credentials&client_id=..&client_secret=..&scope=..` → a bearer token.
    /// A wrong id and a wrong secret get the same answer; neither is logged.
    static func token(form: [UInt8], tokens: TokenIssuer, tenant: String) async -> Response {
        guard let fields = RequestPath("/?" + String(decoding: form, as: UTF8.self))?.query else {
            return error(.badRequest, "invalid_request", "The token request must be an application/x-www-form-urlencoded form.")
        }
        guard fields["grant_type"] == "client_credentials" else {
            return error(.badRequest, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
        }
        guard let clientId = fields["client_id"], let secret = fields["client_secret"], !clientId.isEmpty, !secret.isEmpty else {
            return error(.badRequest, "invalid_request", "client_id and client_secret are required.")
        }
        guard let issued = await tokens.issue(clientId: clientId, secret: secret, tenant: tenant) else {
            return error(.unauthorized, "invalid_client", "The client id or secret is not valid.")
        }
        return ARMService.json(.ok, TokenResponse(expires_in: issued.expiresIn, ext_expires_in: issued.expiresIn, access_token: issued.token))
    }

    private static func error(_ status: HTTPResponse.Status, _ code: String, _ description: String) -> Response {
        ARMService.json(status, ErrorResponse(error: code, error_description: description))
    }
}

/// The bounds every request lives within (docs/server.md).
enum RequestLimits {
    /// A create body: 100 filters fit many times over.
    static let bodyBytes = 256 << 10
    static let formBytes = 16 << 10
    /// The request line and all header fields together, and how many fields.
    static let headerBytes = 32 << 10
    static let headerFields = 100
    /// Connections served at once; more wait in the kernel's backlog.
    static let connections = 512
    /// A connection that sends nothing this long is closed.
    static let idleSeconds: Int64 = 30
    /// A request must arrive whole (head and body) within this time of its first byte being awaited.
    static let requestSeconds: Int64 = 20
}
