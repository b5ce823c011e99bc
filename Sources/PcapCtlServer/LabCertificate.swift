import ControlPlane
import SystemCalls
import Crypto
import FoundationEssentials
import SwiftASN1
import X509

/// A self-signed certificate for a lab (`pcapctld --generate-certificate`): P-256, valid for a year,
/// for the given host names and addresses, usable as its own trust anchor (REQUESTS_CA_BUNDLE).
enum LabCertificate {
    static let validitySeconds = 365.0 * 86400

    /// Writes the certificate and key as PEM; refuses to replace either file. The key is 0600.
    static func generate(certificatePath: String, keyPath: String, hosts: [String]) throws(PcapCtlError) {
        for path in [certificatePath, keyPath] where FileSystem.exists(path) {
            throw .usage("--generate-certificate: '\(Validation.printable(path))' already exists; remove it first")
        }
        let key = P256.Signing.PrivateKey()
        let pem: (certificate: String, key: String)
        do {
            let name = try DistinguishedName { CommonName("pcapctld \(hosts.first ?? "localhost")") }
            let keyIdentifier = ArraySlice(Insecure.SHA1.hash(data: key.publicKey.x963Representation))
            let now = Date()
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now.addingTimeInterval(-300),
                notValidAfter: now.addingTimeInterval(validitySeconds),
                issuer: name,
                subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectKeyIdentifier(keyIdentifier: keyIdentifier)
                    AuthorityKeyIdentifier(keyIdentifier: keyIdentifier)
                    SubjectAlternativeNames(hosts.map(generalName))
                },
                issuerPrivateKey: Certificate.PrivateKey(key))
            pem = (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
        } catch {
            throw .failure("--generate-certificate: cannot build the certificate: \(error)")
        }
        do {
            try FileSystem.writeAtomically(Array((pem.key + "\n").utf8), to: keyPath, mode: 0o600)
            try FileSystem.writeAtomically(Array((pem.certificate + "\n").utf8), to: certificatePath, mode: 0o644)
        } catch {
            throw .failure("--generate-certificate: cannot write the certificate and key: \(error)")
        }
    }

    /// An IPv4 or IPv6 literal becomes an IP address name, anything else a DNS name.
    static func generalName(_ host: String) -> GeneralName {
        if let bytes = ipv4(host) ?? ipv6(host) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))) }
        return .dnsName(host)
    }

    private static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }

    /// Accepts the full and the `::`-shortened forms.
    private static func ipv6(_ text: String) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            part.isEmpty ? [] : part.split(separator: ":", omittingEmptySubsequences: false).map { UInt16($0, radix: 16) }.allSatisfy { $0 != nil }
                ? part.split(separator: ":").map { UInt16($0, radix: 16)! } : nil
        }
        guard let head = groups(halves[0]) else { return nil }
        let tail = halves.count == 2 ? groups(halves[1]) : []
        guard let tail else { return nil }
        let missing = 8 - head.count - tail.count
        guard halves.count == 2 ? missing >= 1 : missing == 0 else { return nil }
        let all = head + Array(repeating: 0, count: halves.count == 2 ? missing : 0) + tail
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}
