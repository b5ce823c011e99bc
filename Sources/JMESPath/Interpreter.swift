import OrderedJSON

/// Evaluates a syntax tree. The rules follow the specification; where it is silent (ordering of strings,
/// comparing numbers with booleans inside arrays) they follow the reference implementation.
struct Interpreter {
    private let functions = Functions()

    func evaluate(_ node: Node, _ value: JSONValue) throws(JMESPathError) -> JSONValue {
        switch node {
        case .identity, .current:
            return value
        case .field(let name):
            return value[name] ?? .null
        case .literal(let literal):
            return literal
        case .subexpression(let children), .indexExpression(let children):
            var result = value
            for child in children { result = try evaluate(child, result) }
            return result
        case .index(let position):
            guard case .array(let elements) = value else { return .null }
            let resolved = position < 0 ? elements.count + position : position
            return elements.indices.contains(resolved) ? elements[resolved] : .null
        case .slice(let start, let stop, let step):
            guard case .array(let elements) = value else { return .null }
            return .array(try Self.slice(elements, start: start, stop: stop, step: step))
        case .projection(let left, let right):
            guard case .array(let elements) = try evaluate(left, value) else { return .null }
            return try project(elements, right)
        case .valueProjection(let left, let right):
            guard case .object(let members) = try evaluate(left, value) else { return .null }
            return try project(members.map(\.value), right)
        case .filterProjection(let left, let right, let condition):
            guard case .array(let elements) = try evaluate(left, value) else { return .null }
            var kept: [JSONValue] = []
            for element in elements where Self.isTrue(try evaluate(condition, element)) {
                let projected = try evaluate(right, element)
                if case .null = projected { continue }
                kept.append(projected)
            }
            return .array(kept)
        case .flatten(let child):
            guard case .array(let elements) = try evaluate(child, value) else { return .null }
            return .array(elements.flatMap { element -> [JSONValue] in
                if case .array(let inner) = element { return inner }
                return [element]
            })
        case .comparison(let comparison, let leftNode, let rightNode):
            return try Self.compare(comparison, try evaluate(leftNode, value), try evaluate(rightNode, value))
        case .or(let left, let right):
            let matched = try evaluate(left, value)
            return Self.isTrue(matched) ? matched : try evaluate(right, value)
        case .and(let left, let right):
            let matched = try evaluate(left, value)
            return Self.isTrue(matched) ? try evaluate(right, value) : matched
        case .not(let child):
            let result = try evaluate(child, value)
            // Zero is a value, not false: !0 is false.
            if case .number = result { return .bool(false) }
            return .bool(!Self.isTrue(result))
        case .pipe(let left, let right):
            return try evaluate(right, try evaluate(left, value))
        case .multiSelectList(let children):
            if case .null = value { return .null }
            var elements: [JSONValue] = []
            for child in children { elements.append(try evaluate(child, value)) }
            return .array(elements)
        case .multiSelectHash(let pairs):
            if case .null = value { return .null }
            var members: [(key: String, value: JSONValue)] = []
            for pair in pairs {
                let result = try evaluate(pair.value, value)
                if let existing = members.firstIndex(where: { $0.key == pair.key }) {
                    members[existing].value = result
                } else {
                    members.append((pair.key, result))
                }
            }
            return .object(members)
        case .function(let name, let argumentNodes):
            var arguments: [Argument] = []
            for node in argumentNodes {
                if case .expressionReference(let expression) = node {
                    arguments.append(.expression(expression))
                } else {
                    arguments.append(.value(try evaluate(node, value)))
                }
            }
            return try functions.call(name, arguments, interpreter: self)
        case .expressionReference:
            // Only a function argument can use an expression reference; anywhere else it has no JSON value.
            return .null
        }
    }

    private func project(_ elements: [JSONValue], _ right: Node) throws(JMESPathError) -> JSONValue {
        var collected: [JSONValue] = []
        for element in elements {
            let projected = try evaluate(right, element)
            if case .null = projected { continue }
            collected.append(projected)
        }
        return .array(collected)
    }

    /// Python's slice rules: negative bounds count from the end, bounds are clamped, a step of 0 is an error.
    static func slice(_ elements: [JSONValue], start: Int?, stop: Int?, step: Int?) throws(JMESPathError) -> [JSONValue] {
        let step = step ?? 1
        guard step != 0 else { throw JMESPathError(.invalidValue, "a slice step cannot be 0") }
        let count = elements.count
        func clamp(_ bound: Int?, _ fallback: Int) -> Int {
            guard let bound else { return fallback }
            if bound < 0 {
                let fromEnd = count + max(bound, -count - 1)
                return step < 0 ? max(fromEnd, -1) : max(fromEnd, 0)
            }
            return step < 0 ? min(bound, count - 1) : min(bound, count)
        }
        let first = clamp(start, step < 0 ? count - 1 : 0)
        let end = clamp(stop, step < 0 ? -1 : count)
        var result: [JSONValue] = []
        var position = first
        while step > 0 ? position < end : position > end {
            result.append(elements[position])
            let (next, overflow) = position.addingReportingOverflow(step)
            if overflow { break }
            position = next
        }
        return result
    }

    /// False, null, the empty string, list and object are false; everything else (0 included) is true.
    static func isTrue(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case .bool(let flag): flag
        case .string(let text): !text.isEmpty
        case .array(let elements): !elements.isEmpty
        case .object(let members): !members.isEmpty
        case .number: true
        }
    }

    static func compare(_ comparison: Node.Comparison, _ left: JSONValue, _ right: JSONValue) throws(JMESPathError) -> JSONValue {
        switch comparison {
        case .eq: return .bool(Equality.strict(left, right))
        case .ne: return .bool(!Equality.strict(left, right))
        default: break
        }
        let order: Ordering
        switch (left, right) {
        case (.number(let a), .number(let b)):
            order = Ordering(JSONNumber.double(a), JSONNumber.double(b))
        case (.string(let a), .string(let b)):
            order = Ordering(a, b)
        case (.number, .string), (.string, .number):
            throw JMESPathError(.invalidType, "cannot order a number and a string")
        default:
            return .null
        }
        return .bool(order.satisfies(comparison))
    }
}

/// The outcome of comparing two values; NaN compares unordered.
enum Ordering {
    case less, equal, greater, unordered

    init(_ a: Double, _ b: Double) {
        self = a < b ? .less : a > b ? .greater : a == b ? .equal : .unordered
    }

    /// By code point, as the specification and Python order strings.
    init(_ a: String, _ b: String) {
        if a.unicodeScalars.elementsEqual(b.unicodeScalars) {
            self = .equal
        } else {
            self = a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? .less : .greater
        }
    }

    func satisfies(_ comparison: Node.Comparison) -> Bool {
        switch comparison {
        case .eq: self == .equal
        case .ne: self != .equal
        case .lt: self == .less
        case .lte: self == .less || self == .equal
        case .gt: self == .greater
        case .gte: self == .greater || self == .equal
        }
    }
}

/// JMESPath's equality, and the looser one the reference implementation uses inside arrays and objects.
enum Equality {
    /// `==`: same type and value; numbers by value (`1 == 1.0`); objects whatever their member order.
    static func strict(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number, .bool), (.bool, .number): false
        default: nested(a, b)
        }
    }

    /// Below the top level the reference implementation compares with Python's `==`, under which
    /// `true == 1` and `false == 0`; kept, so results agree with it element for element.
    static func nested(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return JSONNumber.double(x) == JSONNumber.double(y)
        case (.bool(let x), .number(let y)), (.number(let y), .bool(let x)): return JSONNumber.double(y) == (x ? 1 : 0)
        case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { nested($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            return x.allSatisfy { member in
                guard let other = y.first(where: { $0.key.unicodeScalars.elementsEqual(member.key.unicodeScalars) }) else { return false }
                return nested(member.value, other.value)
            }
        default: return false
        }
    }
}
