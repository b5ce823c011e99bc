import OrderedJSON

/// The syntax tree of a compiled expression.
indirect enum Node: Sendable {
    enum Comparison: Sendable { case eq, ne, lt, lte, gt, gte }

    case identity
    case current
    case field(String)
    case literal(JSONValue)
    /// Each child applied to the result of the one before (`a.b.c`).
    case subexpression([Node])
    /// Each child applied to the result of the one before (`a[0][1]`).
    case indexExpression([Node])
    case index(Int)
    case slice(start: Int?, stop: Int?, step: Int?)
    /// The right side applied to each element of the list the left side gives (`a[*].b`).
    case projection(Node, Node)
    /// The right side applied to each value of the object the left side gives (`a.*.b`).
    case valueProjection(Node, Node)
    /// The right side applied to each element of the left side's list for which the condition holds.
    case filterProjection(Node, Node, condition: Node)
    case flatten(Node)
    case comparison(Comparison, Node, Node)
    case or(Node, Node)
    case and(Node, Node)
    case not(Node)
    case pipe(Node, Node)
    case multiSelectList([Node])
    case multiSelectHash([(key: String, value: Node)])
    case function(String, [Node])
    case expressionReference(Node)
}

/// A top-down operator precedence (Pratt) parser over the token list, with the binding powers and the
/// projection rules of the specification's reference implementation, so that precedence and the
/// extent of projections come out exactly as there.
struct Parser {
    /// Tokens binding less than this end a projection's right-hand side.
    private static let projectionStop = 10
    /// Deeper than any real query; bounds the parser's and the evaluator's recursion on hostile input.
    static let maximumDepth = 128

    private let tokens: [Token]
    private var index = 0
    private var depth = 0

    static func parse(_ expression: String) throws(JMESPathError) -> Node {
        var parser = Parser(tokens: try Lexer.tokenize(expression))
        let node = try parser.expression(0)
        guard parser.current.kind == .eof else {
            throw parser.error(at: parser.current, "unexpected token")
        }
        // Left-associative chains (`a || b || c ...`) nest without recursing here; measure the tree itself.
        guard node.depth <= maximumDepth else {
            throw JMESPathError(.syntax, "the expression nests more than \(maximumDepth) levels deep", position: 0)
        }
        return node
    }

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    private var current: Token { tokens[index] }

    private func lookahead(_ distance: Int) -> Token.Kind { tokens[min(index + distance, tokens.count - 1)].kind }

    private mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    private func error(at token: Token, _ reason: String) -> JMESPathError {
        if token.kind == .eof { return JMESPathError(.syntax, "incomplete expression", position: token.start) }
        return JMESPathError(.syntax, "\(reason) \(Self.describe(token.kind))", position: token.start)
    }

    private static func describe(_ kind: Token.Kind) -> String {
        switch kind {
        case .unquotedIdentifier, .quotedIdentifier: "(an identifier)"
        case .literal: "(a literal)"
        case .number: "(a number)"
        default: "'\(kind.spelling)'"
        }
    }

    private mutating func match(_ kind: Token.Kind) throws(JMESPathError) {
        guard current.kind == kind else { throw error(at: current, "expected '\(kind.spelling)', found") }
        advance()
    }

    private mutating func expression(_ bindingPower: Int) throws(JMESPathError) -> Node {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw JMESPathError(.syntax, "the expression nests more than \(Self.maximumDepth) levels deep", position: current.start)
        }
        let token = current
        advance()
        var left = try nud(token)
        // `a.b.c` is one sub-expression of three children, gathered here so that a long chain costs linear time.
        var chain: [Node] = []
        while bindingPower < current.bindingPower {
            let token = current
            advance()
            if token.kind == .dot && current.kind != .star {
                if chain.isEmpty {
                    if case .subexpression(let children) = left { chain = children } else { chain = [left] }
                }
                chain.append(try dotRight(token.bindingPower))
                continue
            }
            if !chain.isEmpty {
                left = .subexpression(chain)
                chain = []
            }
            left = try led(token, left)
        }
        return chain.isEmpty ? left : .subexpression(chain)
    }

    /// A token in prefix position.
    private mutating func nud(_ token: Token) throws(JMESPathError) -> Node {
        switch token.kind {
        case .literal:
            return .literal(token.literal)
        case .unquotedIdentifier:
            return .field(token.text)
        case .quotedIdentifier:
            guard current.kind != .lparen else {
                throw JMESPathError(.syntax, "a quoted identifier cannot name a function", position: current.start)
            }
            return .field(token.text)
        case .star:
            let right: Node = current.kind == .rbracket ? .identity : try projectionRight(Token(kind: .star, start: 0).bindingPower)
            return .valueProjection(.identity, right)
        case .filter:
            return try filter(.identity)
        case .lbrace:
            return try multiSelectHash()
        case .lparen:
            let inner = try expression(0)
            try match(.rparen)
            return inner
        case .flatten:
            return .projection(.flatten(.identity), try projectionRight(token.bindingPower))
        case .not:
            return .not(try expression(token.bindingPower))
        case .lbracket:
            if current.kind == .number || current.kind == .colon {
                return try projectIfSlice(.identity, try indexExpression())
            }
            if current.kind == .star && lookahead(1) == .rbracket {
                advance()
                advance()
                return .projection(.identity, try projectionRight(Token(kind: .star, start: 0).bindingPower))
            }
            return try multiSelectList()
        case .current:
            return .current
        case .expref:
            return .expressionReference(try expression(token.bindingPower))
        default:
            throw error(at: token, "unexpected token")
        }
    }

    /// A token in infix position, after `left`.
    private mutating func led(_ token: Token, _ left: Node) throws(JMESPathError) -> Node {
        switch token.kind {
        case .dot:
            // `.*`; a dotted name was taken by the loop in `expression`.
            try match(.star)
            return .valueProjection(left, try projectionRight(token.bindingPower))
        case .pipe:
            return .pipe(left, try expression(token.bindingPower))
        case .or:
            return .or(left, try expression(token.bindingPower))
        case .and:
            return .and(left, try expression(token.bindingPower))
        case .lparen:
            guard case .field(let name) = left else {
                throw JMESPathError(.syntax, "invalid function name", position: tokens[max(index - 2, 0)].start)
            }
            var arguments: [Node] = []
            while current.kind != .rparen {
                arguments.append(try expression(0))
                if current.kind == .comma { try match(.comma) }
            }
            try match(.rparen)
            return .function(name, arguments)
        case .filter:
            return try filter(left)
        case .eq, .ne, .lt, .lte, .gt, .gte:
            let comparison: Node.Comparison = switch token.kind {
            case .eq: .eq
            case .ne: .ne
            case .lt: .lt
            case .lte: .lte
            case .gt: .gt
            default: .gte
            }
            return .comparison(comparison, left, try expression(token.bindingPower))
        case .flatten:
            return .projection(.flatten(left), try projectionRight(token.bindingPower))
        case .lbracket:
            if current.kind == .number || current.kind == .colon {
                let right = try indexExpression()
                if case .indexExpression(let children) = left { return .indexExpression(children + [right]) }
                return try projectIfSlice(left, right)
            }
            try match(.star)
            try match(.rbracket)
            return .projection(left, try projectionRight(Token(kind: .star, start: 0).bindingPower))
        default:
            throw error(at: token, "unexpected token")
        }
    }

    private mutating func filter(_ left: Node) throws(JMESPathError) -> Node {
        let condition = try expression(0)
        try match(.rbracket)
        let right: Node = current.kind == .flatten ? .identity : try projectionRight(Token(kind: .filter, start: 0).bindingPower)
        return .filterProjection(left, right, condition: condition)
    }

    private mutating func projectIfSlice(_ left: Node, _ right: Node) throws(JMESPathError) -> Node {
        let indexed = Node.indexExpression([left, right])
        guard case .slice = right else { return indexed }
        return .projection(indexed, try projectionRight(Token(kind: .star, start: 0).bindingPower))
    }

    /// `[N]` or a slice `[start:stop:step]`, after the `[`.
    private mutating func indexExpression() throws(JMESPathError) -> Node {
        guard lookahead(0) == .colon || lookahead(1) == .colon else {
            let number = current.number
            advance()
            try match(.rbracket)
            return .index(number)
        }
        var parts: [Int?] = [nil, nil, nil]
        var part = 0
        while current.kind != .rbracket && part < 3 {
            switch current.kind {
            case .colon:
                part += 1
                if part == 3 { throw error(at: current, "too many colons in a slice:") }
                advance()
            case .number:
                parts[part] = current.number
                advance()
            default:
                throw error(at: current, "a slice takes numbers, found")
            }
        }
        try match(.rbracket)
        return .slice(start: parts[0], stop: parts[1], step: parts[2])
    }

    private mutating func multiSelectList() throws(JMESPathError) -> Node {
        var elements: [Node] = []
        while true {
            elements.append(try expression(0))
            if current.kind == .rbracket { break }
            try match(.comma)
        }
        try match(.rbracket)
        return .multiSelectList(elements)
    }

    private mutating func multiSelectHash() throws(JMESPathError) -> Node {
        var pairs: [(key: String, value: Node)] = []
        while true {
            let key = current
            guard key.kind == .quotedIdentifier || key.kind == .unquotedIdentifier else {
                throw error(at: key, "expected a key, found")
            }
            advance()
            try match(.colon)
            pairs.append((key.text, try expression(0)))
            if current.kind == .comma {
                try match(.comma)
            } else if current.kind == .rbrace {
                try match(.rbrace)
                break
            }
        }
        return .multiSelectHash(pairs)
    }

    /// What a projection applies to each element: nothing more (identity) when the next token binds
    /// loosely, else an index, filter or dotted expression.
    private mutating func projectionRight(_ bindingPower: Int) throws(JMESPathError) -> Node {
        if current.bindingPower < Self.projectionStop { return .identity }
        switch current.kind {
        case .lbracket, .filter:
            return try expression(bindingPower)
        case .dot:
            try match(.dot)
            return try dotRight(bindingPower)
        default:
            throw error(at: current, "unexpected token after a projection:")
        }
    }

    private mutating func dotRight(_ bindingPower: Int) throws(JMESPathError) -> Node {
        switch current.kind {
        case .quotedIdentifier, .unquotedIdentifier, .star:
            return try expression(bindingPower)
        case .lbracket:
            advance()
            return try multiSelectList()
        case .lbrace:
            advance()
            return try multiSelectHash()
        default:
            throw error(at: current, "expected an identifier, '[' or '{' after '.', found")
        }
    }
}

extension Node {
    /// The tree's height, measured without recursion (with an explicit stack), so that it is safe on any tree.
    var depth: Int {
        var deepest = 0
        var pending: [(node: Node, level: Int)] = [(self, 1)]
        while let (node, level) = pending.popLast() {
            deepest = max(deepest, level)
            pending.append(contentsOf: node.children.map { ($0, level + 1) })
        }
        return deepest
    }

    private var children: [Node] {
        switch self {
        case .identity, .current, .field, .literal, .index, .slice: []
        case .subexpression(let nodes), .indexExpression(let nodes), .multiSelectList(let nodes), .function(_, let nodes): nodes
        case .projection(let a, let b), .valueProjection(let a, let b), .comparison(_, let a, let b), .or(let a, let b), .and(let a, let b), .pipe(let a, let b): [a, b]
        case .filterProjection(let a, let b, let condition): [a, b, condition]
        case .flatten(let child), .not(let child), .expressionReference(let child): [child]
        case .multiSelectHash(let pairs): pairs.map(\.value)
        }
    }
}
