/// Writes JSON text. Compact (`{"a":1}`) or indented the way Python's `json.dumps(indent=2)` lays it out,
/// which is what az prints: `"key": value`, `,` at line ends, `[]` and `{}` for empty containers.
public struct JSONWriter: Sendable {
    /// Spaces per level, or nil for the compact form with no whitespace at all.
    public var indent: Int?
    /// Object members in code-point order of their keys (az's `sort_keys=True`), else as they are.
    public var sortsKeys: Bool
    /// Non-ASCII characters as `\uXXXX` escapes (Python's `ensure_ascii=True`), else as UTF-8.
    public var escapesNonASCII: Bool

    public init(indent: Int? = nil, sortsKeys: Bool = false, escapesNonASCII: Bool = false) {
        self.indent = indent
        self.sortsKeys = sortsKeys
        self.escapesNonASCII = escapesNonASCII
    }

    /// The compact form, members and escapes as they are.
    public static let compact = JSONWriter()
    /// az's `-o json`: two-space indent, keys sorted, non-ASCII kept.
    public static let az = JSONWriter(indent: 2, sortsKeys: true)

    public func string(_ value: JSONValue) -> String {
        var output = ""
        write(value, depth: 0, into: &output)
        return output
    }

    private func write(_ value: JSONValue, depth: Int, into output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let literal): output += literal
        case .string(let text): writeString(text, into: &output)
        case .array(let elements):
            guard !elements.isEmpty else { output += "[]"; return }
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                newline(depth + 1, into: &output)
                write(element, depth: depth + 1, into: &output)
            }
            newline(depth, into: &output)
            output += "]"
        case .object(let members):
            guard !members.isEmpty else { output += "{}"; return }
            output += "{"
            let ordered = sortsKeys ? members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) } : members
            for (index, member) in ordered.enumerated() {
                if index > 0 { output += "," }
                newline(depth + 1, into: &output)
                writeString(member.key, into: &output)
                output += indent == nil ? ":" : ": "
                write(member.value, depth: depth + 1, into: &output)
            }
            newline(depth, into: &output)
            output += "}"
        }
    }

    private func newline(_ depth: Int, into output: inout String) {
        guard let indent else { return }
        output += "\n"
        output += String(repeating: " ", count: indent * depth)
    }

    /// Escapes as Python's encoder does: the two-letter escapes, other control characters as `\u00XX`.
    private func writeString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || (escapesNonASCII && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let offset = scalar.value - 0x10000
                        output += Self.unicodeEscape(0xD800 + (offset >> 10)) + Self.unicodeEscape(0xDC00 + (offset & 0x3FF))
                    } else {
                        output += Self.unicodeEscape(scalar.value)
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text.
    public var description: String { JSONWriter.compact.string(self) }
}
