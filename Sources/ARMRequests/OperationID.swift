import ControlPlane
import OrderedJSON

/// A long-running operation's id, the last segment of its Azure-AsyncOperation and Location URLs: what
/// it does and to which capture, so that a daemon restarted while a client polls can tell the
/// operation's state from the store (`{kind}.{generation}.{name}`).
public struct OperationID: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case create, stop, delete
    }

    public var kind: Kind
    /// The capture's etag without its `W/"…"` wrapper: a capture deleted and created again under the same
    /// name has another one, and is not the operation's capture.
    public var generation: String
    public var name: String

    public init(kind: Kind, etag: String, name: String) {
        self.kind = kind
        self.generation = Self.generation(ofEtag: etag)
        self.name = name
    }

    /// nil for anything but an id this daemon writes; the name is checked like a capture name in a path.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let kind = Kind(rawValue: String(parts[0])), Self.isGeneration(parts[1]),
            (try? Validation.checkName(String(parts[2]))) != nil
        else { return nil }
        self.kind = kind
        self.generation = String(parts[1])
        self.name = String(parts[2])
    }

    public var description: String { "\(kind.rawValue).\(generation).\(name)" }

    /// Whether `etag` is the etag of the capture this operation began on.
    public func isGeneration(ofEtag etag: String) -> Bool { Self.generation(ofEtag: etag) == generation }

    static func generation(ofEtag etag: String) -> String {
        var text = Substring(etag)
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        return String(text.filter { $0 != "\"" })
    }

    /// Etags are UUIDs: hexadecimal digits and dashes.
    static func isGeneration(_ text: Substring) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { $0 == UInt8(ascii: "-") || hexDigitValue($0) != nil }
    }
}
