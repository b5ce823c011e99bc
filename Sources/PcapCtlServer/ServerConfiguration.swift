import ARMRequests
import ControlPlane
import SystemCalls
import Crypto
import FoundationEssentials
import Glibc

/// What a client may do: read (GET, queryStatus, files) or also write (create, stop, delete).
public enum ClientRole: String, Codable, Sendable, CaseIterable {
    case reader
    case contributor

    var mayWrite: Bool { self == .contributor }
}

/// A client secret as the daemon keeps it: `hmac-sha256$SALT$MAC`, both hex. Secrets are long random
/// strings, so a salted MAC is enough; the secret itself is never kept or logged.
public struct SecretHash: Sendable, Equatable, CustomStringConvertible {
    var salt: [UInt8]
    var mac: [UInt8]
    static let scheme = "hmac-sha256"

    public static func hashing(_ secret: String) -> SecretHash {
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let mac = HMAC<SHA256>.authenticationCode(for: Array(secret.utf8), using: SymmetricKey(data: salt))
        return SecretHash(salt: salt, mac: Array(mac))
    }

    /// Reads the stored form; nil if it is not one.
    public init?(stored text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.scheme, let salt = Hex.decode(parts[1]), let mac = Hex.decode(parts[2]),
            salt.count >= 8, mac.count == SHA256.byteCount
        else { return nil }
        self.init(salt: salt, mac: mac)
    }

    init(salt: [UInt8], mac: [UInt8]) {
        self.salt = salt
        self.mac = mac
    }

    /// Constant-time comparison (swift-crypto's MAC check).
    func matches(_ secret: String) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(secret.utf8), using: SymmetricKey(data: salt))
    }

    public var description: String { "\(Self.scheme)$\(Hex.encode(salt))$\(Hex.encode(mac))" }
}

/// One OAuth client the daemon issues tokens to.
public struct ClientCredential: Sendable, Equatable {
    public var id: String
    public var secret: SecretHash
    public var role: ClientRole
    /// Locations the client may act in; `*` is every location.
    public var locations: [String]

    func mayAccess(location: String) -> Bool {
        locations.contains("*") || locations.contains(location)
    }
}

/// Everything the daemon is told: from the configuration file, then the command line on top.
public struct ServerConfiguration: Sendable {
    /// `HOST:PORT`, or `unix:PATH` for plain HTTP on a Unix socket.
    public var listen = "0.0.0.0:8443"
    public var certificate: String?
    public var key: String?
    /// Plain HTTP on a loopback address, only when asked for (az refuses it; the SDK needs enforce_https=False).
    public var plainHTTP = false
    public var tenant: String?
    public var subscription: String?
    /// The locations this host answers for, one network watcher each; the first holds the host's VMs.
    public var locations: [String] = []
    public var clients: [ClientCredential] = []
    public var tokenLifetimeSeconds = 3600
    /// Where the token signing key is kept (created on first start, 0600); default under the state directory.
    public var tokenKeyFile: String?

    public static let defaultPath = "/etc/pcapctl/server.json"

    public init() {}

    /// Reads a configuration file; unknown keys are refused so that a typo is not silently ignored.
    public static func load(path: String) throws(PcapCtlError) -> ServerConfiguration {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(path) } catch {
            throw .usage("--config: cannot read '\(Validation.printable(path))': \(error)")
        }
        do {
            return try JSONDecoder().decode(FileForm.self, from: Data(bytes)).configuration
        } catch let error as PcapCtlError {
            throw error
        } catch {
            throw .usage("--config: '\(Validation.printable(path))' is not a valid configuration: \(error)")
        }
    }

    /// The identity, locations and clients checked before the server starts.
    public func validated() throws(PcapCtlError) -> ServerConfiguration {
        var result = self
        guard let tenant = tenant, Validation.isResourceName(tenant) else {
            throw .usage("--tenant: a tenant id is required (letters, digits, '-', '_' or '.')")
        }
        guard let subscription = subscription, Validation.isResourceName(subscription) else {
            throw .usage("--subscription: a subscription id is required (letters, digits, '-', '_' or '.')")
        }
        guard !clients.isEmpty else { throw .usage("--client: at least one client is required (ID:SECRET[:reader|contributor])") }
        for client in clients where clients.filter({ $0.id == client.id }).count > 1 {
            throw .usage("--client: client '\(Validation.printable(client.id))' is given twice")
        }
        _ = try Daemon.bindAddress(self)
        result.locations = try locations.map { location throws(PcapCtlError) in try Validation.normalizeLocation(location) }
        if plainHTTP {
            guard listen.hasPrefix("127.") || listen.hasPrefix("[::1]:") || listen.hasPrefix("localhost:") else {
                throw .usage("--plain-http: plain HTTP is allowed only on a loopback address (127.0.0.1:PORT) or a unix: socket")
            }
        } else if !listen.hasPrefix("unix:") && (certificate == nil || key == nil) {
            throw .usage("--certificate/--key: TLS needs a certificate and a key (make a lab pair with 'pcapctld --generate-certificate')")
        }
        guard (60...86400).contains(tokenLifetimeSeconds) else {
            throw .usage("tokenLifetimeSeconds: must be from 60 to 86400")
        }
        return result
    }

    /// `ID:SECRET[:reader|contributor]`, the command line's form of a client (every location).
    /// The secret may itself hold colons; a last `:reader` or `:contributor` names the role.
    public static func parseClient(_ text: String) throws(PcapCtlError) -> ClientCredential {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        var secret = parts.count == 2 ? parts[1] : ""
        var role = ClientRole.contributor
        if let colon = secret.lastIndex(of: ":"), let named = ClientRole(rawValue: String(secret[secret.index(after: colon)...])) {
            role = named
            secret = String(secret[..<colon])
        }
        guard Validation.isResourceName(parts[0]), !secret.isEmpty else {
            throw .usage("--client: expected ID:SECRET[:reader|contributor] with an id of letters, digits, '-', '_' or '.'")
        }
        return ClientCredential(id: parts[0], secret: .hashing(secret), role: role, locations: ["*"])
    }

    /// The file's JSON form (docs/server.md).
    private struct FileForm: Decodable {
        var configuration = ServerConfiguration()

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            let known = ["listen", "certificate", "key", "plainHTTP", "tenant", "subscription", "locations", "clients", "tokenLifetimeSeconds", "tokenKeyFile"]
            for key in container.allKeys where !known.contains(key.stringValue) {
                throw PcapCtlError.usage("--config: unknown key '\(Validation.printable(key.stringValue))'; known keys: \(known.joined(separator: ", "))")
            }
            func value<T: Decodable>(_ name: String, _ type: T.Type) throws -> T? {
                try container.decodeIfPresent(type, forKey: AnyKey(name))
            }
            configuration.listen = try value("listen", String.self) ?? configuration.listen
            configuration.certificate = try value("certificate", String.self)
            configuration.key = try value("key", String.self)
            configuration.plainHTTP = try value("plainHTTP", Bool.self) ?? false
            configuration.tenant = try value("tenant", String.self)
            configuration.subscription = try value("subscription", String.self)
            configuration.locations = try value("locations", [String].self) ?? []
            configuration.tokenLifetimeSeconds = try value("tokenLifetimeSeconds", Int.self) ?? configuration.tokenLifetimeSeconds
            configuration.tokenKeyFile = try value("tokenKeyFile", String.self)
            configuration.clients = try (value("clients", [ClientForm].self) ?? []).map(\.credential)
        }
    }

    private struct ClientForm: Decodable {
        var credential: ClientCredential

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            let known = ["id", "secretHash", "role", "locations"]
            for key in container.allKeys where !known.contains(key.stringValue) {
                throw PcapCtlError.usage("--config: unknown client key '\(Validation.printable(key.stringValue))'; known keys: \(known.joined(separator: ", "))")
            }
            let id = try container.decode(String.self, forKey: AnyKey("id"))
            guard Validation.isResourceName(id) else { throw PcapCtlError.usage("--config: client id '\(Validation.printable(id))' must be letters, digits, '-', '_' or '.'") }
            let stored = try container.decode(String.self, forKey: AnyKey("secretHash"))
            guard let secret = SecretHash(stored: stored) else {
                throw PcapCtlError.usage("--config: client '\(id)': secretHash must be the output of 'pcapctld --hash-secret' (\(SecretHash.scheme)$SALT$MAC)")
            }
            let roleName = try container.decodeIfPresent(String.self, forKey: AnyKey("role")) ?? ClientRole.contributor.rawValue
            guard let role = ClientRole(rawValue: roleName) else { throw PcapCtlError.usage("--config: client '\(id)': role must be reader or contributor") }
            let locations = try container.decodeIfPresent([String].self, forKey: AnyKey("locations")) ?? ["*"]
            credential = ClientCredential(
                id: id, secret: secret, role: role,
                locations: try locations.map { $0 == "*" ? $0 : try Validation.normalizeLocation($0) })
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
