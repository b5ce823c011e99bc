import OrderedJSON

/// The part of YAML a filter list needs, read without a YAML library (the CLI's start-up stays flat):
/// block sequences and block mappings by indentation (spaces), `- key: value` items, plain, 'single' and
/// "double" quoted scalars, comments, a leading `---`, and flow collections written as JSON. Plain
/// scalars are typed as YAML 1.2's core schema types them: null (`null`, `~`, empty), booleans
/// (`true`, `false`, any case), JSON numbers; anything else is a string.
///
/// Not supported, and refused by name: anchors and aliases, tags, block scalars (`|`, `>`), multi-line
/// plain scalars, flow collections that are not JSON, several documents.
enum YAMLSubset {
    struct SyntaxError: Error, Equatable {
        /// Line number, from 1.
        var line: Int
        var message: String
    }

    static let maximumDepth = 64

    static func parse(_ text: String) throws(SyntaxError) -> JSONValue {
        var lines: [Line] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let indent = content.prefix { $0 == " " }.count
            let body = content.dropFirst(indent)
            if body.first == "\t" { throw SyntaxError(line: offset + 1, message: "tabs are not allowed in indentation") }
            if body.isEmpty || body.first == "#" { continue }
            if indent == 0, body == "---" || body.hasPrefix("--- ") {
                guard lines.isEmpty else { throw SyntaxError(line: offset + 1, message: "only one YAML document is supported") }
                continue
            }
            if indent == 0, body == "..." { break }
            lines.append(Line(indent: indent, text: body, number: offset + 1))
        }
        guard let first = lines.first else { return .null }
        if first.text.first == "[" || first.text.first == "{" {
            return try flow(lines.map { String($0.text) }.joined(separator: "\n"), line: first.number)
        }
        var reader = Reader(lines: lines)
        let value = try reader.block(indent: first.indent, depth: 0)
        if reader.index < lines.count {
            throw SyntaxError(line: lines[reader.index].number, message: "unexpected indentation")
        }
        return value
    }

    struct Line {
        var indent: Int
        var text: Substring
        var number: Int
    }

    private struct Reader {
        var lines: [Line]
        var index = 0

        mutating func block(indent: Int, depth: Int) throws(SyntaxError) -> JSONValue {
            let line = lines[index]
            guard depth < YAMLSubset.maximumDepth else {
                throw SyntaxError(line: line.number, message: "nested deeper than \(YAMLSubset.maximumDepth) levels")
            }
            return YAMLSubset.isItem(line.text) ? try sequence(indent: indent, depth: depth) : try mapping(indent: indent, depth: depth)
        }

        mutating func sequence(indent: Int, depth: Int) throws(SyntaxError) -> JSONValue {
            var elements: [JSONValue] = []
            while index < lines.count, lines[index].indent == indent, YAMLSubset.isItem(lines[index].text) {
                let line = lines[index]
                let rest = line.text.dropFirst().drop { $0 == " " }
                if rest.isEmpty || rest.first == "#" {
                    index += 1
                    elements.append(try nested(under: indent, depth: depth) ?? .null)
                } else if rest.first != "[" && rest.first != "{" && (YAMLSubset.isItem(rest) || YAMLSubset.keyEnd(rest) != nil) {
                    // `- key: value` (or `- - x`): the rest starts a collection indented to where it begins.
                    let column = indent + (line.text.count - rest.count)
                    lines[index] = Line(indent: column, text: rest, number: line.number)
                    elements.append(try block(indent: column, depth: depth + 1))
                } else {
                    elements.append(try YAMLSubset.scalar(rest, line: line.number))
                    index += 1
                }
            }
            return .array(elements)
        }

        mutating func mapping(indent: Int, depth: Int) throws(SyntaxError) -> JSONValue {
            var members: [(key: String, value: JSONValue)] = []
            while index < lines.count, lines[index].indent == indent {
                let line = lines[index]
                guard let end = YAMLSubset.keyEnd(line.text) else {
                    throw SyntaxError(line: line.number, message: YAMLSubset.isItem(line.text) ? "a list item where a 'key: value' was expected" : "expected 'key: value'")
                }
                let key = try YAMLSubset.key(line.text[..<end], line: line.number)
                if members.contains(where: { $0.key == key }) {
                    throw SyntaxError(line: line.number, message: "duplicate key '\(key)'")
                }
                let rest = line.text[line.text.index(after: end)...].drop { $0 == " " }
                index += 1
                if rest.isEmpty || rest.first == "#" {
                    // A nested block, or a list at the key's own indentation (`key:` then `- item`).
                    if index < lines.count, lines[index].indent == indent, YAMLSubset.isItem(lines[index].text) {
                        members.append((key, try sequence(indent: indent, depth: depth + 1)))
                    } else {
                        members.append((key, try nested(under: indent, depth: depth) ?? .null))
                    }
                } else {
                    members.append((key, try YAMLSubset.scalar(rest, line: line.number)))
                }
            }
            return .object(members)
        }

        /// The block indented deeper than `indent` that starts at the current line, if there is one.
        mutating func nested(under indent: Int, depth: Int) throws(SyntaxError) -> JSONValue? {
            guard index < lines.count, lines[index].indent > indent else { return nil }
            return try block(indent: lines[index].indent, depth: depth + 1)
        }
    }

    static func isItem(_ text: Substring) -> Bool {
        text == "-" || text.hasPrefix("- ")
    }

    /// Where a mapping entry's key ends (the `:` followed by a space or the line's end), if the line is one.
    static func keyEnd(_ text: Substring) -> Substring.Index? {
        if let quote = text.first, quote == "\"" || quote == "'" {
            guard let close = text.dropFirst().firstIndex(of: quote) else { return nil }
            let after = text.index(after: close)
            return after < text.endIndex && text[after] == ":" && (text.index(after: after) == text.endIndex || text[text.index(after: after)] == " ") ? after : nil
        }
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == ":" && (next == text.endIndex || text[next] == " ") { return index }
            if text[index] == " " && next < text.endIndex && text[next] == "#" { return nil }
            index = next
        }
        return nil
    }

    static func key(_ text: Substring, line: Int) throws(SyntaxError) -> String {
        guard case .string(let key) = try scalar(text, line: line, typed: false) else {
            throw SyntaxError(line: line, message: "keys must be strings")
        }
        return key
    }

    /// A scalar (or a JSON flow collection) that is the rest of a line.
    static func scalar(_ text: Substring, line: Int, typed: Bool = true) throws(SyntaxError) -> JSONValue {
        switch text.first {
        case "\"":
            guard let close = closingDoubleQuote(text) else { throw SyntaxError(line: line, message: "a double-quoted string is not closed on its line") }
            try expectEnd(text[text.index(after: close)...], line: line)
            return try flow(String(text[...close]), line: line)
        case "'":
            var value = ""
            var index = text.index(after: text.startIndex)
            while index < text.endIndex {
                if text[index] == "'" {
                    let next = text.index(after: index)
                    if next < text.endIndex && text[next] == "'" {
                        value.append("'")
                        index = text.index(after: next)
                        continue
                    }
                    try expectEnd(text[next...], line: line)
                    return .string(value)
                }
                value.append(text[index])
                index = text.index(after: index)
            }
            throw SyntaxError(line: line, message: "a single-quoted string is not closed on its line")
        case "[", "{":
            return try flow(String(text), line: line)
        case "&", "*", "!", "|", ">", "%", "@", "`":
            throw SyntaxError(line: line, message: "'\(text.first!)' (anchors, aliases, tags, block scalars, directives) is not supported by pcapctl's YAML reader")
        default:
            var plain = text
            if let comment = plain.indices.first(where: { plain[$0] == " " && plain[plain.index(after: $0)...].first == "#" }) {
                plain = plain[..<comment]
            }
            let value = String(plain.reversed().drop { $0 == " " }.reversed())
            guard typed else { return .string(value) }
            switch value {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            let unsigned = value.hasPrefix("+") ? String(value.dropFirst()) : value
            return Shorthand.isJSONNumber(unsigned) ? .number(unsigned) : .string(value)
        }
    }

    private static func closingDoubleQuote(_ text: Substring) -> Substring.Index? {
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            if text[index] == "\\" {
                index = text.index(after: index)
                if index < text.endIndex { index = text.index(after: index) }
                continue
            }
            if text[index] == "\"" { return index }
            index = text.index(after: index)
        }
        return nil
    }

    private static func expectEnd(_ rest: Substring, line: Int) throws(SyntaxError) {
        let trimmed = rest.drop { $0 == " " }
        guard trimmed.isEmpty || (trimmed.first == "#" && trimmed.count < rest.count) else {
            throw SyntaxError(line: line, message: "unexpected text after a quoted string")
        }
    }

    /// YAML's flow collections and double-quoted strings, as far as they are JSON.
    private static func flow(_ text: String, line: Int) throws(SyntaxError) -> JSONValue {
        do throws(JSONSyntaxError) { return try JSONReader.parse(text, maximumDepth: maximumDepth) } catch {
            throw SyntaxError(line: line + error.line - 1, message: "pcapctl reads flow collections and double-quoted strings as JSON: \(error.problem)")
        }
    }
}
