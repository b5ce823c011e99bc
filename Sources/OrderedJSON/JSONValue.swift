/// A JSON value as written: object members keep their order (and duplicates, which a strict consumer
/// may want to refuse), and numbers keep their literal, so `80` and `80.0` stay apart and nothing is
/// rounded on the way through. The one JSON type of pcapctl: the filter reader, the output renderers
/// and `--query` all use it.
public indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number as its JSON literal (`-0`, `1.50`, `1e3`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// A number from an integer, written as its digits.
    public static func integer<T: BinaryInteger>(_ value: T) -> JSONValue { .number(String(value)) }

    /// How the value is named in messages ("found a list").
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number(let literal): "the number \(literal)"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// The value of member `key` of an object (the last one when the key is repeated, as most readers
    /// keep it), else nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key.unicodeScalars.elementsEqual(key.unicodeScalars) })?.value
    }

    /// The same value with repeated object keys collapsed: each key keeps its first position and its last
    /// value, as Python's `json.loads` and JavaScript's `JSON.parse` read them.
    public func collapsingDuplicateKeys() -> JSONValue {
        switch self {
        case .array(let elements):
            return .array(elements.map { $0.collapsingDuplicateKeys() })
        case .object(let members):
            // Keyed by the UTF-8 bytes: keys are equal only scalar for scalar, not by Unicode equivalence.
            var order: [String] = []
            var values: [[UInt8]: JSONValue] = [:]
            for (key, value) in members {
                if values.updateValue(value.collapsingDuplicateKeys(), forKey: Array(key.utf8)) == nil { order.append(key) }
            }
            return .object(order.map { ($0, values[Array($0.utf8)]!) })
        default:
            return self
        }
    }

    /// The same value without null-valued object members, at every depth (how Azure's SDKs serialise).
    public func droppingNullMembers() -> JSONValue {
        switch self {
        case .array(let elements):
            return .array(elements.map { $0.droppingNullMembers() })
        case .object(let members):
            return .object(members.compactMap { member in
                if case .null = member.value { return nil }
                return (member.key, member.value.droppingNullMembers())
            })
        default:
            return self
        }
    }
}

extension JSONValue: Equatable {
    /// Structural equality: member order and number literals count (`1` is not `1.0`).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key.unicodeScalars.elementsEqual($1.key.unicodeScalars) && $0.value == $1.value }
        default: false
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}
