import ControlPlane
import OrderedJSON

/// A request target split into percent-decoded path segments and query parameters.
public struct RequestPath: Sendable, Equatable {
    /// Longer request targets are refused before they are split.
    public static let maximumBytes = 4096

    public var raw: String
    public var segments: [String]
    public var query: [String: String]

    /// nil for a target that is too long or holds a malformed escape, invalid UTF-8, a NUL or an empty segment.
    public init?(_ target: String) {
        guard target.utf8.count <= Self.maximumBytes else { return nil }
        raw = target
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var segments: [String] = []
        for piece in parts[0].split(separator: "/") {
            guard let decoded = Self.percentDecoded(piece), !decoded.isEmpty else { return nil }
            segments.append(decoded)
        }
        self.segments = segments
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let key = Self.percentDecoded(keyValue[0], plusIsSpace: true) else { return nil }
                let value = keyValue.count == 2 ? Self.percentDecoded(keyValue[1], plusIsSpace: true) : ""
                guard let value else { return nil }
                query[key] = value
            }
        }
        self.query = query
    }

    /// Decodes `%XX`; nil for a malformed escape, invalid UTF-8 or a NUL.
    static func percentDecoded(_ text: Substring, plusIsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexDigitValue), let low = iterator.next().flatMap(hexDigitValue) else { return nil }
                bytes.append(high << 4 | low)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        guard !bytes.contains(0), let decoded = String(validating: bytes, as: UTF8.self) else { return nil }
        return decoded
    }

    /// Api-versions of the packet capture paths: az's two groups, the SDK's default and its neighbours.
    public static let captureApiVersions: Set<String> = ["2022-01-01", "2024-05-01", "2025-05-01", "2025-07-01", "2026-03-01"]

    /// The `api-version` every ARM request carries: a date-like word, not yet checked against a path.
    public func apiVersion() throws(ARMError) -> String {
        guard let version = query["api-version"], !version.isEmpty else {
            throw ARMError.badRequest("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
        }
        let bytes = Array(version.utf8)
        guard bytes.count >= 10, bytes.count <= 20, bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }) else {
            throw ARMError.badRequest("InvalidApiVersionParameter", "The api-version '\(Validation.printable(version))' is not valid: use a date such as 2026-03-01.")
        }
        return version
    }

    /// The api-version of a packet capture path: one of `captureApiVersions`.
    public func captureApiVersion() throws(ARMError) -> String {
        let version = try apiVersion()
        guard Self.captureApiVersions.contains(version) else {
            throw ARMError.badRequest(
                "InvalidApiVersionParameter",
                "The api-version '\(Validation.printable(version))' is not supported for packet captures; supported: \(Self.captureApiVersions.sorted().joined(separator: ", ")).")
        }
        return version
    }

    /// A list page's `$skiptoken`: how many captures earlier pages held (0 when absent).
    public func skipToken() throws(ARMError) -> Int {
        guard let token = query["$skiptoken"] else { return 0 }
        guard let skip = Int(token), skip >= 0 else { throw ARMError.badRequest("InvalidSkipToken", "The $skiptoken is not valid.") }
        return skip
    }
}

/// What follows `packetCaptures/{name}` in a path (lower-cased words).
public enum CaptureAction: Equatable, Sendable {
    case resource, stop, queryStatus, files
    /// `files/{name}`, or its `/summary`.
    case file(summary: Bool)
    case unknown

    public init(_ words: [String]) {
        switch words.count {
        case 0: self = .resource
        case 1: self = words[0] == "stop" ? .stop : words[0] == "querystatus" ? .queryStatus : words[0] == "files" ? .files : .unknown
        case 2: self = words[0] == "files" ? .file(summary: false) : .unknown
        case 3: self = words[0] == "files" && words[2] == "summary" ? .file(summary: true) : .unknown
        default: self = .unknown
        }
    }
}

extension ARMError {
    /// A capture name from a path, as 400 naming `packetCaptureName` when it breaks the naming rule.
    public static func checkCaptureName(_ name: String) throws(ARMError) {
        do throws(PcapCtlError) { try Validation.checkName(name) } catch { throw ARMError(error) }
    }

    /// A location segment of an operation URL, normalised, as a 404 when it is not one.
    public static func locationFromPath(_ value: String) throws(ARMError) -> String {
        do throws(PcapCtlError) { return try Validation.normalizeLocation(value) } catch {
            throw ARMError.notFound("LocationNotFound", "'\(Validation.printable(value))' is not a location.")
        }
    }
}
