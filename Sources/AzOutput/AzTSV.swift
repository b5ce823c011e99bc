import OrderedJSON

/// `-o tsv`, as knack writes it: one row per list item (the result itself when it is not a list); in a
/// row, an object's values in key order, a list's elements; each field as Python's `str()` but a list
/// as its length and an object as an empty field. A lone boolean row is `true`/`false`.
enum AzTSV {
    static func render(_ value: JSONValue, sortsKeys: Bool) -> String {
        let rows: [JSONValue] = if case .array(let elements) = value { elements } else { [value] }
        return rows.map { row($0, sortsKeys: sortsKeys) + "\n" }.joined()
    }

    private static func row(_ value: JSONValue, sortsKeys: Bool) -> String {
        switch value {
        case .object(let members):
            let ordered = sortsKeys ? members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) } : members
            return ordered.map { field($0.value) }.joined(separator: "\t")
        case .array(let elements):
            return elements.map(field).joined(separator: "\t")
        case .bool(let flag):
            return flag ? "true" : "false"
        default:
            return field(value)
        }
    }

    private static func field(_ value: JSONValue) -> String {
        switch value {
        case .array(let elements): String(elements.count)
        case .object: ""
        default: PythonText.str(value)
        }
    }
}
