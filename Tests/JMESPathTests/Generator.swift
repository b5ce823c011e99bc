import OrderedJSON
import TestSupport

extension SeededGenerator {
    mutating func pick<T>(_ choices: [T]) -> T { choices.randomElement(using: &self)! }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }
}

/// Random documents and expressions over a small vocabulary, so that expressions often hit real
/// members and functions often get values of the types they take (and sometimes not).
struct CaseGenerator {
    var random: SeededGenerator

    static let keys = ["a", "b", "c", "foo", "bar", "name", "n"]
    static let strings = ["", "a", "abc", "B", "foo", "10", " 7 ", "1.5", "-3", "1e3", "é", "Ab", "1_0", "x y"]
    static let numbers = ["0", "1", "-1", "2", "3", "10", "-7", "42", "1.5", "-0.5", "2.25", "0.1", "100", "3.0"]
    static let functions: [(name: String, arity: Int)] = [
        ("abs", 1), ("avg", 1), ("ceil", 1), ("contains", 2), ("ends_with", 2), ("floor", 1), ("join", 2), ("keys", 1),
        ("length", 1), ("map", 2), ("max", 1), ("max_by", 2), ("merge", 2), ("min", 1), ("min_by", 2), ("not_null", 2),
        ("reverse", 1), ("sort", 1), ("sort_by", 2), ("starts_with", 2), ("sum", 1), ("to_array", 1), ("to_number", 1),
        ("to_string", 1), ("type", 1), ("values", 1),
    ]

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func document(depth: Int = 0) -> JSONValue {
        let roll = Int.random(in: 0..<100, using: &random)
        if depth >= 3 || roll < 35 { return scalar() }
        if roll < 65 {
            let count = Int.random(in: 0...4, using: &random)
            // Homogeneous lists are what functions like sort and sum take.
            if random.chance(40) {
                let numeric = random.chance(50)
                return .array((0..<count).map { _ in numeric ? .number(random.pick(Self.numbers)) : .string(random.pick(Self.strings)) })
            }
            return .array((0..<count).map { _ in document(depth: depth + 1) })
        }
        var members: [(key: String, value: JSONValue)] = []
        for key in Self.keys.shuffled(using: &random).prefix(Int.random(in: 0...4, using: &random)) {
            members.append((key, document(depth: depth + 1)))
        }
        return .object(members)
    }

    mutating func scalar() -> JSONValue {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: .null
        case 1: .bool(random.chance(50))
        case 2...5: .number(random.pick(Self.numbers))
        default: .string(random.pick(Self.strings))
        }
    }

    mutating func expression(depth: Int = 0) -> String {
        let atom = depth >= 3
        switch Int.random(in: 0..<(atom ? 6 : 26), using: &random) {
        case 0, 1: return random.pick(Self.keys)
        case 2: return "@"
        case 3: return "`\(JSONWriter.compact.string(scalar()))`"
        case 4: return "'\(random.pick(Self.strings))'"
        case 5: return "\"\(random.pick(Self.keys))\""
        case 6, 7: return "\(expression(depth: depth + 1)).\(random.pick(Self.keys))"
        case 8: return "\(expression(depth: depth + 1))[\(Int.random(in: -3...3, using: &random))]"
        case 9: return "\(expression(depth: depth + 1))[\(sliceText())]"
        case 10: return "\(expression(depth: depth + 1))[*]\(tail(depth))"
        case 11: return "\(expression(depth: depth + 1)).*\(tail(depth))"
        case 12: return "\(expression(depth: depth + 1))[]\(tail(depth))"
        case 13: return "\(expression(depth: depth + 1))[?\(condition(depth: depth + 1))]\(tail(depth))"
        case 14: return "\(expression(depth: depth + 1)) | \(expression(depth: depth + 1))"
        case 15: return "[\(expression(depth: depth + 1)), \(expression(depth: depth + 1))]"
        case 16: return "{\(random.pick(Self.keys)): \(expression(depth: depth + 1)), \(random.pick(Self.keys)): \(expression(depth: depth + 1))}"
        case 17: return "\(expression(depth: depth + 1)) || \(expression(depth: depth + 1))"
        case 18: return "\(expression(depth: depth + 1)) && \(expression(depth: depth + 1))"
        case 19: return "!\(expression(depth: depth + 1))"
        case 20: return "(\(expression(depth: depth + 1)))"
        case 21: return condition(depth: depth + 1)
        case 22: return "\(expression(depth: depth + 1)).[\(random.pick(Self.keys)), \(random.pick(Self.keys))]"
        default: return functionCall(depth: depth + 1)
        }
    }

    private mutating func tail(_ depth: Int) -> String {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: ".\(random.pick(Self.keys))"
        case 1: "[\(Int.random(in: -2...2, using: &random))]"
        default: ""
        }
    }

    private mutating func sliceText() -> String {
        func bound() -> String { random.chance(40) ? "" : String(Int.random(in: -4...4, using: &random)) }
        let step = random.chance(50) ? "" : ":" + (random.chance(5) ? "0" : String(random.pick([-2, -1, 1, 2, 3])))
        return bound() + ":" + bound() + step
    }

    mutating func condition(depth: Int) -> String {
        let op = random.pick(["==", "!=", "<", "<=", ">", ">="])
        return "\(expression(depth: depth + 1)) \(op) \(expression(depth: depth + 1))"
    }

    private mutating func functionCall(depth: Int) -> String {
        let function = random.pick(Self.functions)
        // Mostly the right arity; sometimes one more or one fewer, for the arity errors.
        var arity = function.arity
        if random.chance(8) { arity += random.pick([-1, 1]) }
        var arguments: [String] = []
        for index in 0..<max(arity, 0) {
            let takesReference = ["map", "sort_by", "min_by", "max_by"].contains(function.name)
                && (function.name == "map" ? index == 0 : index == 1)
            arguments.append(takesReference && random.chance(90) ? "&\(expression(depth: depth + 1))" : expression(depth: depth + 1))
        }
        if random.chance(2) { return "no_such_function(\(arguments.joined(separator: ", ")))" }
        return "\(function.name)(\(arguments.joined(separator: ", ")))"
    }

    /// An expression damaged by one edit, for syntax errors (some edits leave it valid, which is fine).
    mutating func damaged(_ expression: String) -> String {
        var scalars = Array(expression.unicodeScalars)
        let position = Int.random(in: 0...scalars.count, using: &random)
        let insertions: [Unicode.Scalar] = ["[", "]", "(", ")", "{", "}", ".", ",", ":", "|", "&", "!", "=", "<", "`", "'", "\"", "?", "*", "-", "1", "#"]
        if random.chance(50) || scalars.isEmpty {
            scalars.insert(random.pick(insertions), at: position)
        } else {
            scalars.remove(at: min(position, scalars.count - 1))
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        return text
    }
}
