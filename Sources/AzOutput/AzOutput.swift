import OrderedJSON

/// az's output formats (`-o`), rendered byte for byte as azure-cli 2.91.0 does through knack 0.14:
/// Python's `json.dumps`, PyYAML's `safe_dump`, tabulate's "simple" table and knack's tsv.
public enum AzOutputFormat: String, Sendable, CaseIterable {
    case json, jsonc, yaml, yamlc, table, tsv, none
}

/// Renders one command result. az prints nothing at all for a null result, whatever the format; the
/// caller decides that before calling (`render` of `.null` gives what knack's formatter would).
public struct AzRenderer: Sendable {
    public var format: AzOutputFormat
    /// Whether `--query` made the result: then table columns keep the result's own order instead of being
    /// sorted, and tsv rows of query-made objects keep theirs (knack's rules).
    public var queryActive: Bool
    /// Whether a table transformer chose the columns: they keep its order too.
    public var tableTransformed: Bool
    /// Colour for jsonc and yamlc; az colours only when stdout is a terminal, and otherwise renders
    /// them as json and yaml.
    public var colour: Bool

    public init(format: AzOutputFormat, queryActive: Bool = false, tableTransformed: Bool = false, colour: Bool = false) {
        self.format = format
        self.queryActive = queryActive
        self.tableTransformed = tableTransformed
        self.colour = colour
    }

    public func render(_ value: JSONValue) -> String {
        switch format {
        case .json: return AzJSON.render(value)
        case .jsonc: return colour ? AzJSON.colour(AzJSON.render(value)) : AzJSON.render(value)
        case .yaml: return AzYAML.render(value)
        case .yamlc: return colour ? AzYAML.colour(AzYAML.render(value)) : AzYAML.render(value)
        case .table: return AzTable.render(value, sortsKeys: !queryActive && !tableTransformed)
        case .tsv: return AzTSV.render(value, sortsKeys: !queryActive)
        case .none: return ""
        }
    }
}

/// How Python's `str()` shows a JSON value once loaded (`True`, `None`, `1.5`, `['a', 1]`), which is what
/// knack's table and tsv print for values they do not lay out themselves.
enum PythonText {
    static func str(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return repr(value)
    }

    static func repr(_ value: JSONValue) -> String {
        switch value {
        case .null: "None"
        case .bool(let flag): flag ? "True" : "False"
        case .number(let literal): JSONNumber.canonical(literal)
        case .string(let text): quoted(text)
        case .array(let elements): "[" + elements.map(repr).joined(separator: ", ") + "]"
        case .object(let members): "{" + members.map { quoted($0.key) + ": " + repr($0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// Python's `repr(str)`: single quotes unless the text has a single quote and no double quote.
    static func quoted(_ text: String) -> String {
        let quote: Unicode.Scalar = text.unicodeScalars.contains("'") && !text.unicodeScalars.contains("\"") ? "\"" : "'"
        var result = String.UnicodeScalarView([quote])
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\r": result.append(contentsOf: "\\r".unicodeScalars)
            case "\t": result.append(contentsOf: "\\t".unicodeScalars)
            case quote: result.append("\\"); result.append(quote)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result.append(contentsOf: "\\x\(hex(scalar.value, 2))".unicodeScalars)
                } else if !isPrintable(scalar) {
                    let digits = scalar.value > 0xFFFF ? 8 : scalar.value > 0xFF ? 4 : 2
                    let prefix = digits == 8 ? "\\U" : digits == 4 ? "\\u" : "\\x"
                    result.append(contentsOf: (prefix + hex(scalar.value, digits)).unicodeScalars)
                } else {
                    result.append(scalar)
                }
            }
        }
        result.append(quote)
        return String(result)
    }

    /// Python's `str.isprintable` for one character, near enough: not a control, format, separator
    /// (other than the space) or unassigned character.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: false
        case .spaceSeparator: scalar == " "
        default: true
        }
    }

    private static func hex(_ value: UInt32, _ digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
