import OrderedJSON

/// One token, with the character offset where it starts.
struct Token {
    enum Kind: Equatable {
        case dot, star, rbracket, comma, colon, current, lparen, rparen, lbrace, rbrace
        case flatten, filter, lbracket
        case unquotedIdentifier, quotedIdentifier
        case literal, number
        case pipe, or, and, expref, not
        case lt, lte, gt, gte, eq, ne
        case eof

        /// How the token is written, for messages.
        var spelling: String {
            switch self {
            case .dot: "."
            case .star: "*"
            case .rbracket: "]"
            case .comma: ","
            case .colon: ":"
            case .current: "@"
            case .lparen: "("
            case .rparen: ")"
            case .lbrace: "{"
            case .rbrace: "}"
            case .flatten: "[]"
            case .filter: "[?"
            case .lbracket: "["
            case .unquotedIdentifier, .quotedIdentifier: "identifier"
            case .literal: "literal"
            case .number: "number"
            case .pipe: "|"
            case .or: "||"
            case .and: "&&"
            case .expref: "&"
            case .not: "!"
            case .lt: "<"
            case .lte: "<="
            case .gt: ">"
            case .gte: ">="
            case .eq: "=="
            case .ne: "!="
            case .eof: "end of expression"
            }
        }
    }

    var kind: Kind
    var start: Int
    var text: String = ""
    var number: Int = 0
    var literal: JSONValue = .null

    /// How tightly the token binds as an infix operator (the reference parser's table).
    var bindingPower: Int {
        switch kind {
        case .pipe: 1
        case .or: 2
        case .and: 3
        case .eq, .gt, .lt, .gte, .lte, .ne: 5
        case .flatten: 9
        case .star: 20
        case .filter: 21
        case .dot: 40
        case .not: 45
        case .lbrace: 50
        case .lbracket: 55
        case .lparen: 60
        default: 0
        }
    }
}

/// Splits an expression into tokens. Offsets count Unicode scalars, as the specification's positions do.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    /// Far longer than any real query; bounds the work (and the tree's size) on hostile input.
    static let maximumLength = 65536

    static func tokenize(_ expression: String) throws(JMESPathError) -> [Token] {
        var lexer = Lexer(scalars: Array(expression.unicodeScalars))
        guard !lexer.scalars.isEmpty else { throw JMESPathError(.syntax, "empty expression", position: 0) }
        guard lexer.scalars.count <= maximumLength else {
            throw JMESPathError(.syntax, "the expression is longer than \(maximumLength) characters", position: maximumLength)
        }
        var tokens: [Token] = []
        while let scalar = lexer.current {
            tokens.append(contentsOf: try lexer.next(scalar))
        }
        tokens.append(Token(kind: .eof, start: lexer.scalars.count))
        return tokens
    }

    private init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func advance() { position += 1 }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    /// The token (none for whitespace) that starts at the current scalar.
    private mutating func next(_ scalar: Unicode.Scalar) throws(JMESPathError) -> [Token] {
        let start = position
        let simple: Token.Kind? = switch scalar {
        case ".": .dot
        case "*": .star
        case "]": .rbracket
        case ",": .comma
        case ":": .colon
        case "@": .current
        case "(": .lparen
        case ")": .rparen
        case "{": .lbrace
        case "}": .rbrace
        default: nil
        }
        if let simple {
            advance()
            return [Token(kind: simple, start: start)]
        }
        switch scalar {
        case " ", "\t", "\n", "\r":
            advance()
            return []
        case _ where Self.isIdentifierStart(scalar):
            while let next = current, Self.isIdentifierStart(next) || Self.isDigit(next) { advance() }
            return [Token(kind: .unquotedIdentifier, start: start, text: text(start..<position))]
        case "[":
            advance()
            switch current {
            case "]": advance(); return [Token(kind: .flatten, start: start)]
            case "?": advance(); return [Token(kind: .filter, start: start)]
            default: return [Token(kind: .lbracket, start: start)]
            }
        case "'":
            let raw = try consume(until: "'").replacingOccurrences(of: "\\'", with: "'")
            return [Token(kind: .literal, start: start, literal: .string(raw))]
        case "|": return [matchOrElse("|", .or, .pipe)]
        case "&": return [matchOrElse("&", .and, .expref)]
        case "`": return [try consumeLiteral()]
        case "0"..."9", "-":
            advance()
            while let next = current, Self.isDigit(next) { advance() }
            let digits = text(start..<position)
            guard digits != "-" else { throw JMESPathError(.syntax, "unknown token '-'", position: start) }
            // Saturated: an index or slice bound past any array's length means the same as the largest one.
            let value = Int(digits) ?? (digits.hasPrefix("-") ? Int.min : Int.max)
            return [Token(kind: .number, start: start, text: digits, number: value)]
        case "\"":
            let lexeme = "\"" + (try consume(until: "\"")) + "\""
            let name: JSONValue
            do throws(JSONSyntaxError) { name = try JSONReader.parse(lexeme) } catch {
                throw JMESPathError(.syntax, "invalid quoted identifier: \(error.problem)", position: start)
            }
            guard case .string(let text) = name else { throw JMESPathError(.syntax, "invalid quoted identifier", position: start) }
            return [Token(kind: .quotedIdentifier, start: start, text: text)]
        case "<": return [matchOrElse("=", .lte, .lt)]
        case ">": return [matchOrElse("=", .gte, .gt)]
        case "!": return [matchOrElse("=", .ne, .not)]
        case "=":
            advance()
            guard current == "=" else { throw JMESPathError(.syntax, "unknown token '=' (comparison is '==')", position: start) }
            advance()
            return [Token(kind: .eq, start: start)]
        default:
            throw JMESPathError(.syntax, "unknown token '\(scalar.escaped(asASCII: false))'", position: start)
        }
    }

    private func text(_ range: Range<Int>) -> String {
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars[range])
        return result
    }

    private mutating func matchOrElse(_ expected: Unicode.Scalar, _ match: Token.Kind, _ otherwise: Token.Kind) -> Token {
        let start = position
        advance()
        if current == expected {
            advance()
            return Token(kind: match, start: start)
        }
        return Token(kind: otherwise, start: start)
    }

    /// The text up to the closing delimiter, a backslash keeping itself and the scalar after it.
    private mutating func consume(until delimiter: Unicode.Scalar) throws(JMESPathError) -> String {
        let start = position
        var buffer = String.UnicodeScalarView()
        advance()
        while current != delimiter {
            if current == "\\" {
                buffer.append("\\")
                advance()
            }
            guard let scalar = current else {
                throw JMESPathError(.syntax, "unclosed \(delimiter) delimiter", position: start)
            }
            buffer.append(scalar)
            advance()
        }
        advance()
        return String(buffer)
    }

    /// A backtick JSON literal. Text that is not JSON is read as a string, the deprecated form the
    /// specification (JEP 12) still allows and the reference implementation accepts.
    private mutating func consumeLiteral() throws(JMESPathError) -> Token {
        let start = position
        let lexeme = try consume(until: "`").replacingOccurrences(of: "\\`", with: "`")
        if let value = try? JSONReader.parse(lexeme) {
            return Token(kind: .literal, start: start, literal: value.collapsingDuplicateKeys())
        }
        let unindented = String(String.UnicodeScalarView(lexeme.unicodeScalars.drop(while: \.properties.isWhitespace)))
        guard let value = try? JSONReader.parse("\"" + unindented + "\"") else {
            throw JMESPathError(.syntax, "bad JSON literal `\(lexeme)`", position: start)
        }
        return Token(kind: .literal, start: start, literal: value)
    }
}

extension String {
    /// Replaces each non-overlapping occurrence, scanning left to right, by Unicode scalars.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        let source = Array(unicodeScalars), pattern = Array(target.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < source.count {
            if index + pattern.count <= source.count && Array(source[index..<index + pattern.count]) == pattern {
                result.append(contentsOf: replacement.unicodeScalars)
                index += pattern.count
            } else {
                result.append(source[index])
                index += 1
            }
        }
        return String(result)
    }
}
