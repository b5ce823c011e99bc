import OrderedJSON

/// az's shorthand syntax for compound values (azure-cli-core's AAZ commands): `[{protocol:TCP,local-port:80}]`.
///
/// A value is a dict `{key:value,...}`, a list `[value,...]` or a word. A word runs until `,` `:` `]` or
/// `}`; it may not hold whitespace or quotes unless it is wrapped in single quotes, inside which `'/`
/// stands for a quote. `null` is null, and a word that reads as a JSON number or boolean is one. A
/// trailing comma is allowed. az's blank value (`{key}`, a key without `:`) is refused, since no filter
/// field takes one; so are az's `??` help marks.
enum Shorthand {
    struct SyntaxError: Error, Equatable {
        /// Character offset into the text, from 0, where the problem starts.
        var position: Int
        var message: String
    }

    /// Nesting beyond this is refused rather than recursed into.
    static let maximumDepth = 64

    static func parse(_ text: String) throws(SyntaxError) -> JSONValue {
        var parser = Parser(characters: Array(text))
        guard !parser.characters.isEmpty else { throw SyntaxError(position: 0, message: "Cannot parse empty") }
        let value = try parser.value(depth: 0)
        guard parser.index == parser.characters.count else {
            throw SyntaxError(position: parser.index, message: "Redundant tail")
        }
        return value
    }

    private struct Parser {
        let characters: [Character]
        var index = 0

        var current: Character? { index < characters.count ? characters[index] : nil }

        mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
            guard depth < Shorthand.maximumDepth else {
                throw SyntaxError(position: index, message: "Nested deeper than \(Shorthand.maximumDepth) levels")
            }
            switch current {
            case "{": return try dictionary(depth: depth)
            case "[": return try list(depth: depth)
            default: return try word(typed: true)
            }
        }

        mutating func dictionary(depth: Int) throws(SyntaxError) -> JSONValue {
            index += 1
            var members: [(key: String, value: JSONValue)] = []
            if current == "}" {
                index += 1
                return .object(members)
            }
            while true {
                let keyStart = index
                guard case .string(let key) = try word(typed: false) else {
                    throw SyntaxError(position: keyStart, message: "Dict key should be a string")
                }
                if key.contains("\"") || key.contains("'") {
                    throw SyntaxError(position: keyStart, message: "Dict key should not contain quotes '\(key)'")
                }
                if members.contains(where: { $0.key == key }) {
                    throw SyntaxError(position: keyStart, message: "Duplicate defined dict key '\(key)'")
                }
                guard current == ":" else {
                    if current == "," || current == "}" {
                        throw SyntaxError(position: keyStart, message: "Key '\(key)' has no value (az's blank value, which no filter field takes)")
                    }
                    throw SyntaxError(position: index, message: "Expect characters ':' or ','")
                }
                index += 1
                guard current != nil else { throw SyntaxError(position: index, message: "Cannot parse empty") }
                members.append((key, try value(depth: depth + 1)))
                if current == "," {
                    index += 1
                    if current == "}" { break }
                } else if current == "}" {
                    break
                } else {
                    throw SyntaxError(position: index, message: "Expect character ',' or '}'")
                }
                guard current != nil else { throw SyntaxError(position: index, message: "Expect character '}'") }
            }
            index += 1
            return .object(members)
        }

        mutating func list(depth: Int) throws(SyntaxError) -> JSONValue {
            index += 1
            var elements: [JSONValue] = []
            if current == "]" {
                index += 1
                return .array(elements)
            }
            while true {
                elements.append(try value(depth: depth + 1))
                if current == "," {
                    index += 1
                    if current == "]" { break }
                } else if current == "]" {
                    break
                } else {
                    throw SyntaxError(position: index, message: "Expect character ',' or ']'")
                }
                guard current != nil else { throw SyntaxError(position: index, message: "Expect character ']'") }
            }
            index += 1
            return .array(elements)
        }

        /// A word, or a single-quoted string; `typed` reads `null`, numbers and booleans as such (values,
        /// not keys).
        mutating func word(typed: Bool) throws(SyntaxError) -> JSONValue {
            if current == "'" { return .string(try quoted()) }
            let start = index
            while let character = current, !",:]}".contains(character) {
                if character.isWhitespace {
                    throw SyntaxError(position: index, message: "Please wrap whitespace character in single quotes")
                }
                if character == "\"" || character == "'" {
                    throw SyntaxError(position: index, message: "Please wrap \(character) character in single quotes")
                }
                index += 1
            }
            guard index > start else { throw SyntaxError(position: index, message: "Cannot parse empty") }
            let text = String(characters[start..<index])
            if text == "??" { throw SyntaxError(position: start, message: "'??' (az's help mark) is not supported") }
            if text == "null" { return .null }
            guard typed else { return .string(text) }
            if text == "true" || text == "false" { return .bool(text == "true") }
            if Shorthand.isJSONNumber(text) { return .number(text) }
            return .string(text)
        }

        mutating func quoted() throws(SyntaxError) -> String {
            index += 1
            var text = ""
            while let character = current {
                index += 1
                guard character == "'" else {
                    text.append(character)
                    continue
                }
                guard current == "/" else { return text }
                text.append("'")
                index += 1
            }
            throw SyntaxError(position: index, message: "Miss end quota character: '")
        }
    }

    /// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    static func isJSONNumber(_ text: String) -> Bool {
        var characters = Substring(text)
        func digits() -> Int {
            let count = characters.prefix { $0.isASCII && $0.isNumber }.count
            characters = characters.dropFirst(count)
            return count
        }
        if characters.first == "-" { characters = characters.dropFirst() }
        if characters.first == "0" {
            characters = characters.dropFirst()
        } else if digits() == 0 {
            return false
        }
        if characters.first == "." {
            characters = characters.dropFirst()
            guard digits() > 0 else { return false }
        }
        if characters.first == "e" || characters.first == "E" {
            characters = characters.dropFirst()
            if characters.first == "+" || characters.first == "-" { characters = characters.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return characters.isEmpty
    }
}
