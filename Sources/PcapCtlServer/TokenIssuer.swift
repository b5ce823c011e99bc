import ARMRequests
import ControlPlane
import SystemCalls
import Crypto
import FoundationEssentials
import Glibc
import JWTKit

/// Who made a request, from a verified token.
struct Principal: Sendable {
    var client: ClientCredential
}

/// Issues and checks the bearer tokens of the OAuth 2.0 client-credentials flow: HS256 JWTs (jwt-kit)
/// with issuer, audience, subject (the client id), issue and expiry times.
struct TokenIssuer: Sendable {
    let keys: JWTKeyCollection
    let issuer: String
    let lifetime: Int
    /// The client table is read again on every request, so a token names a client, not its rights.
    let clients: [String: ClientCredential]

    /// The audiences the clients ask for: az asks for management.core.windows.net, the SDK for management.azure.com.
    static let audience = "https://management.core.windows.net/"

    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var aud: AudienceClaim
        var sub: SubjectClaim
        var iat: IssuedAtClaim
        var exp: ExpirationClaim
        var tid: String

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    init(signingKey: [UInt8], tenant: String, lifetime: Int, clients: [ClientCredential]) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: signingKey), digestAlgorithm: .sha256)
        issuer = "pcapctld/\(tenant)"
        self.lifetime = lifetime
        self.clients = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The token for a client whose secret matches, or nil. Both failures look the same to the caller.
    func issue(clientId: String, secret: String, tenant: String) async -> (token: String, expiresIn: Int)? {
        guard let client = clients[clientId], client.secret.matches(secret) else { return nil }
        let now = Date()
        let claims = Claims(
            iss: IssuerClaim(value: issuer), aud: AudienceClaim(value: Self.audience), sub: SubjectClaim(value: client.id),
            iat: IssuedAtClaim(value: now), exp: ExpirationClaim(value: now.addingTimeInterval(Double(lifetime))), tid: tenant)
        guard let token = try? await keys.sign(claims) else { return nil }
        return (token, lifetime)
    }

    /// The principal of an `Authorization: Bearer` header value, or the ARM error to answer with.
    func verify(authorization: String?) async throws(ARMError) -> Principal {
        guard let authorization, !authorization.isEmpty else { throw ARMError.unauthenticated }
        let prefix = "bearer "
        guard authorization.lowercased().hasPrefix(prefix) else {
            throw ARMError(.unauthorized, "InvalidAuthenticationToken", "The 'Authorization' header must be 'Bearer <token>'.")
        }
        let token = String(authorization.dropFirst(prefix.count).drop { $0 == " " })
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw ARMError(.unauthorized, "ExpiredAuthenticationToken", "The access token has expired; request a new one from the token endpoint.")
        } catch {
            throw ARMError(.unauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
        }
        guard claims.iss.value == issuer, claims.aud.value.contains(Self.audience) else {
            throw ARMError(.unauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
        }
        guard let client = clients[claims.sub.value] else {
            throw ARMError(.unauthorized, "InvalidAuthenticationToken", "The access token's client is no longer configured.")
        }
        return Principal(client: client)
    }

    /// The signing key: read from `path`, or made (32 random bytes, 0600) on first start, so that tokens
    /// survive a restart.
    static func signingKey(path: String) throws(PcapCtlError) -> [UInt8] {
        if FileSystem.exists(path) {
            do {
                let bytes = try FileSystem.readFile(path)
                guard bytes.count >= 32 else { throw PcapCtlError.failure("the token key \(path) is shorter than 32 bytes; delete it to make a new one") }
                return bytes
            } catch let error as PcapCtlError {
                throw error
            } catch {
                throw .failure("cannot read the token key \(path): \(error)")
            }
        }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        do {
            try FileSystem.makeDirectories(FileSystem.parentDirectory(of: path))
            try FileSystem.writeAtomically(key, to: path, mode: 0o600)
        } catch {
            throw .failure("cannot write the token key \(path): \(error)")
        }
        return key
    }
}
