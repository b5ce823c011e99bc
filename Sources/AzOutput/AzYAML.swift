import OrderedJSON

/// `-o yaml`: PyYAML's `safe_dump(default_flow_style=False, allow_unicode=True)` as knack calls it. Block
/// style, keys sorted, sequences in mappings not indented, empty containers as `[]`/`{}`, strings plain
/// when YAML 1.1 would read them back as the same string and quoted otherwise, long scalars folded past
/// column 80 the way PyYAML's emitter folds them.
enum AzYAML {
    static func render(_ value: JSONValue) -> String {
        var emitter = YAMLEmitter()
        emitter.emitRoot(value.pythonNumbers)
        return emitter.output
    }

    /// Keys in bright blue, as Pygments' YAML lexer and terminal formatter show them; the rest plain.
    static func colour(_ yaml: String) -> String {
        let reset = "\u{1B}[39;49;00m"
        return yaml.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var text = Substring(line)
            var prefix = ""
            while text.hasPrefix(" ") || text.hasPrefix("- ") {
                let step = text.hasPrefix(" ") ? 1 : 2
                prefix += text.prefix(step)
                text = text.dropFirst(step)
            }
            guard !text.hasPrefix("'"), !text.hasPrefix("\""), let colon = keyEnd(text) else { return prefix + text }
            return prefix + "\u{1B}[94m" + text[..<colon] + reset + text[colon...]
        }.joined(separator: "\n")
    }

    /// Where a `key:` ends on a line (the colon before a space or the line's end), if the line has a key.
    private static func keyEnd(_ text: Substring) -> Substring.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == ":" && (next == text.endIndex || text[next] == " ") { return index }
            index = next
        }
        return nil
    }
}

/// The part of PyYAML's emitter that block-style JSON values need, with its column and indent state, so
/// that line folding happens at exactly the same places.
struct YAMLEmitter {
    private(set) var output = ""
    private var column = 0
    private var whitespace = true
    private var indention = true
    private var openEnded = false
    private static let bestWidth = 80
    private static let bestIndent = 2

    mutating func emitRoot(_ value: JSONValue) {
        emit(value, indent: nil, mapping: false, sequence: false, root: true)
        writeIndent(0)
        if openEnded {
            writeIndicator("...", needWhitespace: true)
            writeIndent(0)
        }
    }

    private mutating func emit(_ value: JSONValue, indent: Int?, mapping: Bool, sequence: Bool, root: Bool) {
        switch value {
        case .array(let elements) where !elements.isEmpty:
            // In a mapping, a sequence's dashes line up with the mapping's keys.
            let inner = mapping && !indention ? (indent ?? 0) : nextIndent(indent, flow: false)
            for element in elements {
                writeIndent(inner)
                writeIndicator("-", needWhitespace: true, indention: true)
                emit(element, indent: inner, mapping: false, sequence: true, root: false)
            }
        case .object(let members) where !members.isEmpty:
            let inner = nextIndent(indent, flow: false)
            for member in members.sorted(by: { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }) {
                writeIndent(inner)
                writeScalar(member.key, implicitString: true, indent: inner, simpleKey: true, root: false)
                writeIndicator(":", needWhitespace: false)
                emit(member.value, indent: inner, mapping: true, sequence: false, root: false)
            }
        case .array:
            writeIndicator("[]", needWhitespace: true)
        case .object:
            writeIndicator("{}", needWhitespace: true)
        case .null:
            writeScalar("null", implicitString: false, indent: nextIndent(indent, flow: true), simpleKey: false, root: root)
        case .bool(let flag):
            writeScalar(flag ? "true" : "false", implicitString: false, indent: nextIndent(indent, flow: true), simpleKey: false, root: root)
        case .number(let literal):
            writeScalar(Self.number(literal), implicitString: false, indent: nextIndent(indent, flow: true), simpleKey: false, root: root)
        case .string(let text):
            writeScalar(text, implicitString: true, indent: nextIndent(indent, flow: true), simpleKey: false, root: root)
        }
    }

    private func nextIndent(_ indent: Int?, flow: Bool) -> Int {
        guard let indent else { return flow ? Self.bestIndent : 0 }
        return indent + Self.bestIndent
    }

    /// PyYAML's float form: `repr().lower()`, with `.0` added before an exponent that has no point.
    private static func number(_ literal: String) -> String {
        guard !JSONNumber.isInteger(literal) else { return literal }
        var text = literal.lowercased()
        if text == "nan" { return ".nan" }
        if text == "infinity" { return ".inf" }
        if text == "-infinity" { return "-.inf" }
        if !text.contains("."), let e = text.firstIndex(of: "e") { text.replaceSubrange(e...e, with: ".0e") }
        return text
    }

    // MARK: Scalars

    private mutating func writeScalar(_ text: String, implicitString: Bool, indent: Int, simpleKey: Bool, root: Bool) {
        let scalars = Array(text.unicodeScalars)
        let analysis = ScalarAnalysis(scalars)
        let plainImplicit = !implicitString || !YAMLResolver.resolvesToOtherType(scalars)
        let split = !simpleKey
        if plainImplicit && !(simpleKey && (analysis.empty || analysis.multiline)) && analysis.allowBlockPlain {
            writePlain(scalars, indent: indent, split: split, root: root)
        } else if analysis.allowSingleQuoted && !(simpleKey && analysis.multiline) {
            writeSingleQuoted(scalars, indent: indent, split: split)
        } else {
            writeDoubleQuoted(scalars, indent: indent, split: split)
        }
    }

    private static let lineBreaks: Set<Unicode.Scalar> = ["\n", "\u{85}", "\u{2028}", "\u{2029}"]

    private mutating func writePlain(_ text: [Unicode.Scalar], indent: Int, split: Bool, root: Bool) {
        if root { openEnded = true }
        guard !text.isEmpty else { return }
        if !whitespace { write(" ") }
        whitespace = false
        indention = false
        var spaces = false
        var start = 0
        var end = 0
        while end <= text.count {
            let character: Unicode.Scalar? = end < text.count ? text[end] : nil
            if spaces {
                if character != " " {
                    if start + 1 == end && column > Self.bestWidth && split {
                        writeIndent(indent)
                        whitespace = false
                        indention = false
                    } else {
                        write(text[start..<end])
                    }
                    start = end
                }
            } else if character == nil || character == " " {
                if start < end { write(text[start..<end]) }
                start = end
            }
            if let character { spaces = character == " " }
            end += 1
        }
    }

    private mutating func writeSingleQuoted(_ text: [Unicode.Scalar], indent: Int, split: Bool) {
        writeIndicator("'", needWhitespace: true)
        var spaces = false
        var breaks = false
        var start = 0
        var end = 0
        while end <= text.count {
            let character: Unicode.Scalar? = end < text.count ? text[end] : nil
            if spaces {
                if character == nil || character != " " {
                    if start + 1 == end && column > Self.bestWidth && split && start != 0 && end != text.count {
                        writeIndent(indent)
                    } else {
                        write(text[start..<end])
                    }
                    start = end
                }
            } else if breaks {
                if character == nil || !Self.lineBreaks.contains(character!) {
                    if text[start] == "\n" { writeLineBreak() }
                    for lineBreak in text[start..<end] {
                        writeLineBreak(lineBreak == "\n" ? "\n" : String(lineBreak))
                    }
                    writeIndent(indent)
                    start = end
                }
            } else if character == nil || character == " " || character == "'" || Self.lineBreaks.contains(character!) {
                if start < end {
                    write(text[start..<end])
                    start = end
                }
            }
            if character == "'" {
                write("''")
                start = end + 1
            }
            if let character {
                spaces = character == " "
                breaks = Self.lineBreaks.contains(character)
            }
            end += 1
        }
        writeIndicator("'", needWhitespace: false)
    }

    private static let escapes: [Unicode.Scalar: String] = [
        "\0": "0", "\u{07}": "a", "\u{08}": "b", "\t": "t", "\n": "n", "\u{0B}": "v", "\u{0C}": "f", "\r": "r",
        "\u{1B}": "e", "\"": "\"", "\\": "\\", "\u{85}": "N", "\u{A0}": "_", "\u{2028}": "L", "\u{2029}": "P",
    ]

    private mutating func writeDoubleQuoted(_ text: [Unicode.Scalar], indent: Int, split: Bool) {
        writeIndicator("\"", needWhitespace: true)
        var start = 0
        var end = 0
        while end <= text.count {
            let character: Unicode.Scalar? = end < text.count ? text[end] : nil
            if character == nil || Self.needsEscape(character!) {
                if start < end {
                    write(text[start..<end])
                    start = end
                }
                if let character {
                    let escaped: String
                    if let short = Self.escapes[character] {
                        escaped = "\\" + short
                    } else if character.value <= 0xFF {
                        escaped = "\\x" + Self.hex(character.value, 2)
                    } else if character.value <= 0xFFFF {
                        escaped = "\\u" + Self.hex(character.value, 4)
                    } else {
                        escaped = "\\U" + Self.hex(character.value, 8)
                    }
                    write(escaped)
                    start = end + 1
                }
            }
            if end > 0 && end < text.count - 1 && (character == " " || start >= end) && column + (end - start) > Self.bestWidth && split {
                if start < end {
                    write(text[start..<end])
                    start = end
                }
                write("\\")
                writeIndent(indent)
                whitespace = false
                indention = false
                if text[start] == " " { write("\\") }
            }
            end += 1
        }
        writeIndicator("\"", needWhitespace: false)
    }

    private static func needsEscape(_ character: Unicode.Scalar) -> Bool {
        if "\"\\\u{85}\u{2028}\u{2029}\u{FEFF}".unicodeScalars.contains(character) { return true }
        let value = character.value
        return !((0x20...0x7E).contains(value) || (0xA0...0xD7FF).contains(value) || (0xE000...0xFFFD).contains(value))
    }

    private static func hex(_ value: UInt32, _ digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    // MARK: Low-level writing, as PyYAML's emitter tracks it

    private mutating func write(_ scalars: ArraySlice<Unicode.Scalar>) {
        output.unicodeScalars.append(contentsOf: scalars)
        column += scalars.count
    }

    private mutating func write(_ text: String) {
        output += text
        column += text.unicodeScalars.count
    }

    private mutating func writeIndicator(_ indicator: String, needWhitespace: Bool, whitespace newWhitespace: Bool = false, indention newIndention: Bool = false) {
        write(whitespace || !needWhitespace ? indicator : " " + indicator)
        openEnded = false
        whitespace = newWhitespace
        indention = indention && newIndention
    }

    private mutating func writeIndent(_ indent: Int) {
        if !indention || column > indent || (column == indent && !whitespace) {
            writeLineBreak()
        }
        if column < indent {
            whitespace = true
            write(String(repeating: " ", count: indent - column))
        }
    }

    private mutating func writeLineBreak(_ lineBreak: String = "\n") {
        whitespace = true
        indention = true
        output += lineBreak
        column = 0
    }
}

/// What PyYAML's `analyze_scalar` finds in a string that decides its style.
struct ScalarAnalysis {
    var empty = false
    var multiline = false
    var allowBlockPlain = true
    var allowSingleQuoted = true

    init(_ scalars: [Unicode.Scalar]) {
        guard !scalars.isEmpty else {
            empty = true
            allowBlockPlain = true
            return
        }
        let breaks: Set<Unicode.Scalar> = ["\n", "\u{85}", "\u{2028}", "\u{2029}"]
        let whitespaceAround: Set<Unicode.Scalar> = ["\0", " ", "\t", "\r", "\n", "\u{85}", "\u{2028}", "\u{2029}"]
        var blockIndicators = false
        var lineBreaks = false
        var specialCharacters = false
        var leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false
        var breakSpace = false, spaceBreak = false
        let text = String(String.UnicodeScalarView(scalars))
        if text.hasPrefix("---") || text.hasPrefix("...") { blockIndicators = true }
        var precededByWhitespace = true
        var followedByWhitespace = scalars.count == 1 || whitespaceAround.contains(scalars[1])
        var previousSpace = false, previousBreak = false
        for (index, character) in scalars.enumerated() {
            if index == 0 {
                if "#,[]{}&*!|>'\"%@`".unicodeScalars.contains(character) { blockIndicators = true }
                if (character == "?" || character == ":") && followedByWhitespace { blockIndicators = true }
                if character == "-" && followedByWhitespace { blockIndicators = true }
            } else {
                if character == ":" && followedByWhitespace { blockIndicators = true }
                if character == "#" && precededByWhitespace { blockIndicators = true }
            }
            if breaks.contains(character) { lineBreaks = true }
            let value = character.value
            if !(character == "\n" || (0x20...0x7E).contains(value)) {
                let unicode = character == "\u{85}" || (0xA0...0xD7FF).contains(value) || (0xE000...0xFFFD).contains(value)
                    || (0x10000..<0x10FFFF).contains(value)
                if !unicode || character == "\u{FEFF}" { specialCharacters = true }
            }
            if character == " " {
                if index == 0 { leadingSpace = true }
                if index == scalars.count - 1 { trailingSpace = true }
                if previousBreak { breakSpace = true }
                previousSpace = true
                previousBreak = false
            } else if breaks.contains(character) {
                if index == 0 { leadingBreak = true }
                if index == scalars.count - 1 { trailingBreak = true }
                if previousSpace { spaceBreak = true }
                previousSpace = false
                previousBreak = true
            } else {
                previousSpace = false
                previousBreak = false
            }
            precededByWhitespace = whitespaceAround.contains(character)
            followedByWhitespace = index + 2 >= scalars.count || whitespaceAround.contains(scalars[index + 2])
        }
        multiline = lineBreaks
        if leadingSpace || leadingBreak || trailingSpace || trailingBreak { allowBlockPlain = false }
        if breakSpace { allowBlockPlain = false; allowSingleQuoted = false }
        if spaceBreak || specialCharacters { allowBlockPlain = false; allowSingleQuoted = false }
        if lineBreaks { allowBlockPlain = false }
        if blockIndicators { allowBlockPlain = false }
    }
}

/// YAML 1.1's implicit types as PyYAML resolves plain scalars: a string that would read back as a
/// boolean, number, null, timestamp, merge key or value key must be quoted to stay a string.
enum YAMLResolver {
    static func resolvesToOtherType(_ scalars: [Unicode.Scalar]) -> Bool {
        var text = String(String.UnicodeScalarView(scalars))
        // Python's `$` also matches before one final newline.
        if text.hasSuffix("\n") { text.removeLast() }
        guard let first = text.unicodeScalars.first else { return true }
        if "yYnNtTfFoO".unicodeScalars.contains(first), booleans.contains(text) { return true }
        if "-+0123456789.".unicodeScalars.contains(first), isFloat(text) { return true }
        if "-+0123456789".unicodeScalars.contains(first), isInteger(text) { return true }
        if text == "<<" || text == "=" { return true }
        if ["~", "null", "Null", "NULL"].contains(text) { return true }
        if "0123456789".unicodeScalars.contains(first), isTimestamp(text) { return true }
        return false
    }

    private static let booleans: Set<String> = ["yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"]

    /// A tiny matcher for the resolver patterns: each element is a set of characters and how many may repeat.
    private struct Scanner {
        var scalars: [Unicode.Scalar]
        var index = 0

        var atEnd: Bool { index == scalars.count }

        mutating func one(_ set: String) -> Bool {
            guard index < scalars.count, set.unicodeScalars.contains(scalars[index]) else { return false }
            index += 1
            return true
        }

        mutating func optional(_ set: String) { _ = one(set) }

        @discardableResult
        mutating func many(_ set: String) -> Int {
            var count = 0
            while one(set) { count += 1 }
            return count
        }

        mutating func literal(_ text: String) -> Bool {
            let pattern = Array(text.unicodeScalars)
            guard index + pattern.count <= scalars.count, Array(scalars[index..<index + pattern.count]) == pattern else { return false }
            index += pattern.count
            return true
        }
    }

    private static let digits = "0123456789"

    private static func matches(_ text: String, _ pattern: (inout Scanner) -> Bool) -> Bool {
        var scanner = Scanner(scalars: Array(text.unicodeScalars))
        return pattern(&scanner) && scanner.atEnd
    }

    /// `[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`
    static func isInteger(_ text: String) -> Bool {
        let body = text.hasPrefix("-") || text.hasPrefix("+") ? String(text.dropFirst()) : text
        return matches(body) { s in s.literal("0b") && s.many("01_") > 0 }
            || matches(body) { s in s.one("0") && s.many("01234567_") > 0 }
            || body == "0"
            || matches(body) { s in s.one("123456789") && { s.many(digits + "_"); return true }() }
            || matches(body) { s in s.literal("0x") && s.many("0123456789abcdefABCDEF_") > 0 }
            || matches(body) { s in s.one("123456789") && { s.many(digits + "_"); return true }() && sexagesimal(&s) }
    }

    /// `(:[0-5]?[0-9])+`
    private static func sexagesimal(_ s: inout Scanner) -> Bool {
        var groups = 0
        while s.one(":") {
            let before = s.index
            if s.one("012345"), s.one(digits) { groups += 1; continue }
            s.index = before
            guard s.one(digits) else { return false }
            groups += 1
        }
        return groups > 0
    }

    /// `[-+]?([0-9][0-9_]*)\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9][0-9_]*([eE][-+][0-9]+)? |
    /// [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)`
    static func isFloat(_ text: String) -> Bool {
        func exponent(_ s: inout Scanner) -> Bool {
            guard s.one("eE") else { return true }
            return s.one("-+") && s.many(digits) > 0
        }
        let signed = text.hasPrefix("-") || text.hasPrefix("+") ? String(text.dropFirst()) : text
        return matches(signed) { s in s.one(digits) && { s.many(digits + "_"); return true }() && s.one(".") && { s.many(digits + "_"); return true }() && exponent(&s) }
            || matches(text) { s in s.one(".") && s.one(digits) && { s.many(digits + "_"); return true }() && exponent(&s) }
            || matches(signed) { s in s.one(digits) && { s.many(digits + "_"); return true }() && sexagesimal(&s) && s.one(".") && { s.many(digits + "_"); return true }() }
            || [".inf", ".Inf", ".INF"].contains(signed)
            || [".nan", ".NaN", ".NAN"].contains(text)
    }

    /// `[0-9]{4}-[0-9]{2}-[0-9]{2}` or `[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?`
    static func isTimestamp(_ text: String) -> Bool {
        let d = digits
        if matches(text, { s in s.one(d) && s.one(d) && s.one(d) && s.one(d) && s.one("-") && s.one(d) && s.one(d) && s.one("-") && s.one(d) && s.one(d) }) {
            return true
        }
        return matches(text) { s in
            guard s.one(d) && s.one(d) && s.one(d) && s.one(d) && s.one("-") && s.one(d) else { return false }
            s.optional(d)
            guard s.one("-") && s.one(d) else { return false }
            s.optional(d)
            if !s.one("Tt") { guard s.many(" \t") > 0 else { return false } }
            guard s.one(d) else { return false }
            s.optional(d)
            guard s.one(":") && s.one(d) && s.one(d) && s.one(":") && s.one(d) && s.one(d) else { return false }
            if s.one(".") { s.many(d) }
            let beforeZone = s.index
            s.many(" \t")
            if s.one("Z") { return true }
            if s.one("-+") {
                guard s.one(d) else { return false }
                s.optional(d)
                if s.one(":") { return s.one(d) && s.one(d) }
                return true
            }
            s.index = beforeZone
            return true
        }
    }
}
