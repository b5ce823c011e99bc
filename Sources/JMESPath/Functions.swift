import OrderedJSON

/// A function argument: a value, or an expression reference (`&field`) for map, sort_by, min_by, max_by.
enum Argument {
    case value(JSONValue)
    case expression(Node)

    /// The JMESPath name of the argument's type, as errors name it.
    var typeName: String {
        switch self {
        case .expression: "expref"
        case .value(let value): Functions.typeName(value)
        }
    }
}

/// The built-in functions of the specification, each with its signature: arity first, then the type of
/// every declared parameter, then the function itself, in that order as the reference implementation
/// checks them.
struct Functions {
    /// What a parameter accepts. `arrayOf` with two element types takes an array of either, decided by
    /// its first element (max, min, sort).
    enum ParameterType {
        case any, number, string, array, object, expref
        case arrayOf([ElementType])
        case union([ParameterType])
    }

    enum ElementType: String { case number, string }

    struct Signature {
        var parameters: [ParameterType]
        var isVariadic = false
    }

    private static let signatures: [String: Signature] = [
        "abs": Signature(parameters: [.number]),
        "avg": Signature(parameters: [.arrayOf([.number])]),
        "ceil": Signature(parameters: [.number]),
        "contains": Signature(parameters: [.union([.array, .string]), .any]),
        "ends_with": Signature(parameters: [.string, .string]),
        "floor": Signature(parameters: [.number]),
        "join": Signature(parameters: [.string, .arrayOf([.string])]),
        "keys": Signature(parameters: [.object]),
        "length": Signature(parameters: [.union([.string, .array, .object])]),
        "map": Signature(parameters: [.expref, .array]),
        "max": Signature(parameters: [.arrayOf([.number, .string])]),
        "max_by": Signature(parameters: [.array, .expref]),
        "merge": Signature(parameters: [.object], isVariadic: true),
        "min": Signature(parameters: [.arrayOf([.number, .string])]),
        "min_by": Signature(parameters: [.array, .expref]),
        "not_null": Signature(parameters: [.any], isVariadic: true),
        "reverse": Signature(parameters: [.union([.array, .string])]),
        "sort": Signature(parameters: [.arrayOf([.string, .number])]),
        "sort_by": Signature(parameters: [.array, .expref]),
        "starts_with": Signature(parameters: [.string, .string]),
        "sum": Signature(parameters: [.arrayOf([.number])]),
        "to_array": Signature(parameters: [.any]),
        "to_number": Signature(parameters: [.any]),
        "to_string": Signature(parameters: [.any]),
        "type": Signature(parameters: [.any]),
        "values": Signature(parameters: [.object]),
    ]

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    func call(_ name: String, _ arguments: [Argument], interpreter: Interpreter) throws(JMESPathError) -> JSONValue {
        guard let signature = Self.signatures[name] else {
            throw JMESPathError(.unknownFunction, "unknown function: \(name)()")
        }
        let declared = signature.parameters.count
        if signature.isVariadic ? arguments.count < declared : arguments.count != declared {
            let expected = signature.isVariadic ? "at least \(declared)" : "\(declared)"
            throw JMESPathError(.invalidArity, "\(name)() takes \(expected) argument\(declared == 1 ? "" : "s"), got \(arguments.count)")
        }
        for (argument, parameter) in zip(arguments, signature.parameters) {
            try Self.check(argument, parameter, function: name)
        }
        return try apply(name, arguments, interpreter)
    }

    private static func typeError(_ function: String, _ actual: String, expected: String) -> JMESPathError {
        JMESPathError(.invalidType, "\(function)(): expected \(expected), found \(actual)")
    }

    private static func check(_ argument: Argument, _ parameter: ParameterType, function: String) throws(JMESPathError) {
        if case .any = parameter { return }
        guard accepts(argument, parameter) else {
            throw typeError(function, argument.typeName, expected: describe(parameter))
        }
        guard case .arrayOf(let elementTypes) = parameter, case .value(.array(let elements)) = argument, let first = elements.first else { return }
        // One element type for the whole array: the first element's, among those allowed.
        guard let chosen = elementTypes.first(where: { $0.rawValue == typeName(first) }) else {
            throw typeError(function, typeName(first), expected: describe(parameter))
        }
        if let stranger = elements.first(where: { typeName($0) != chosen.rawValue }) {
            throw typeError(function, "an array holding \(typeName(stranger))", expected: describe(parameter))
        }
    }

    private static func accepts(_ argument: Argument, _ parameter: ParameterType) -> Bool {
        switch (parameter, argument) {
        case (.any, _): true
        case (.expref, .expression): true
        case (.expref, .value), (_, .expression): false
        case (.union(let members), _): members.contains { accepts(argument, $0) }
        case (.arrayOf, .value(let value)): typeName(value) == "array"
        case (.number, .value(let value)): typeName(value) == "number"
        case (.string, .value(let value)): typeName(value) == "string"
        case (.array, .value(let value)): typeName(value) == "array"
        case (.object, .value(let value)): typeName(value) == "object"
        }
    }

    private static func describe(_ parameter: ParameterType) -> String {
        switch parameter {
        case .any: "any value"
        case .number, .string, .array, .object, .expref: "\(parameter)"
        case .arrayOf(let elements): "an array of " + elements.map { "\($0.rawValue)s" }.joined(separator: " or of ")
        case .union(let members): members.map(describe).joined(separator: " or ")
        }
    }

    // MARK: - The functions

    private func apply(_ name: String, _ arguments: [Argument], _ interpreter: Interpreter) throws(JMESPathError) -> JSONValue {
        let values = arguments.map { argument -> JSONValue in
            if case .value(let value) = argument { return value }
            return .null
        }
        switch name {
        case "abs":
            guard case .number(let literal) = values[0] else { return .null }
            if JSONNumber.isInteger(literal) { return .number(JSONNumber.canonical(literal.hasPrefix("-") ? String(literal.dropFirst()) : literal)) }
            return .number(JSONNumber.literal(JSONNumber.double(literal).magnitude))
        case "avg":
            let numbers = Self.numbers(values[0])
            guard !numbers.isEmpty else { return .null }
            return .number(JSONNumber.literal(numbers.reduce(0, +) / Double(numbers.count)))
        case "ceil", "floor":
            guard case .number(let literal) = values[0] else { return .null }
            if JSONNumber.isInteger(literal) { return .number(JSONNumber.canonical(literal)) }
            let value = JSONNumber.double(literal)
            return .number(JSONNumber.literal(integer: name == "ceil" ? value.rounded(.up) : value.rounded(.down)))
        case "contains":
            switch values[0] {
            case .array(let elements):
                return .bool(elements.contains { Equality.nested($0, values[1]) })
            case .string(let text):
                guard case .string(let search) = values[1] else {
                    throw Self.typeError(name, arguments[1].typeName, expected: "a string to search a string for")
                }
                return .bool(search.isEmpty || Self.scalarsContain(text, search))
            default:
                return .null
            }
        case "ends_with", "starts_with":
            guard case .string(let text) = values[0], case .string(let affix) = values[1] else { return .null }
            let scalars = Array(text.unicodeScalars), pattern = Array(affix.unicodeScalars)
            guard pattern.count <= scalars.count else { return .bool(false) }
            return .bool(name == "starts_with" ? Array(scalars.prefix(pattern.count)) == pattern : Array(scalars.suffix(pattern.count)) == pattern)
        case "join":
            guard case .string(let separator) = values[0], case .array(let elements) = values[1] else { return .null }
            return .string(elements.compactMap { if case .string(let text) = $0 { text } else { nil } }.joined(separator: separator))
        case "keys", "values":
            guard case .object(let members) = values[0] else { return .null }
            return .array(name == "keys" ? members.map { .string($0.key) } : members.map(\.value))
        case "length":
            switch values[0] {
            case .string(let text): return .integer(text.unicodeScalars.count)
            case .array(let elements): return .integer(elements.count)
            case .object(let members): return .integer(members.count)
            default: return .null
            }
        case "map":
            guard case .expression(let expression) = arguments[0], case .array(let elements) = values[1] else { return .null }
            var mapped: [JSONValue] = []
            for element in elements { mapped.append(try interpreter.evaluate(expression, element)) }
            return .array(mapped)
        case "max", "min":
            guard case .array(let elements) = values[0], var best = elements.first else { return .null }
            for element in elements.dropFirst() {
                let order = try Self.order(element, best, function: name)
                if name == "max" ? order == .greater : order == .less { best = element }
            }
            return best
        case "max_by", "min_by":
            guard case .array(let elements) = values[0], case .expression(let expression) = arguments[1], !elements.isEmpty else { return .null }
            var best = elements[0]
            var bestKey = try Self.key(interpreter, expression, elements[0], function: name, allowed: ["number", "string"])
            for element in elements.dropFirst() {
                let key = try Self.key(interpreter, expression, element, function: name, allowed: ["number", "string"])
                let order = try Self.order(key, bestKey, function: name)
                if name == "max_by" ? order == .greater : order == .less {
                    best = element
                    bestKey = key
                }
            }
            return best
        case "merge":
            var merged: [(key: String, value: JSONValue)] = []
            for value in values {
                guard case .object(let members) = value else { throw Self.typeError(name, Self.typeName(value), expected: "object") }
                for member in members {
                    if let existing = merged.firstIndex(where: { $0.key.unicodeScalars.elementsEqual(member.key.unicodeScalars) }) {
                        merged[existing].value = member.value
                    } else {
                        merged.append(member)
                    }
                }
            }
            return .object(merged)
        case "not_null":
            return values.first { if case .null = $0 { false } else { true } } ?? .null
        case "reverse":
            switch values[0] {
            case .array(let elements): return .array(elements.reversed())
            case .string(let text): return .string(String(String.UnicodeScalarView(text.unicodeScalars.reversed())))
            default: return .null
            }
        case "sort":
            guard case .array(let elements) = values[0] else { return .null }
            return .array(try Self.stableSort(elements, keys: elements, function: name))
        case "sort_by":
            guard case .array(let elements) = values[0], case .expression(let expression) = arguments[1], !elements.isEmpty else { return values[0] }
            let firstKey = try interpreter.evaluate(expression, elements[0])
            let required = Self.typeName(firstKey)
            guard required == "number" || required == "string" else {
                throw Self.typeError(name, required, expected: "number or string keys")
            }
            var keys: [JSONValue] = []
            for element in elements { keys.append(try Self.key(interpreter, expression, element, function: name, allowed: [required])) }
            return .array(try Self.stableSort(elements, keys: keys, function: name))
        case "sum":
            let all = Self.numberLiterals(values[0])
            let total = all.map(JSONNumber.double).reduce(0, +)
            return .number(all.allSatisfy(JSONNumber.isInteger) ? JSONNumber.literal(integer: total) : JSONNumber.literal(total))
        case "to_array":
            if case .array = values[0] { return values[0] }
            return .array([values[0]])
        case "to_number":
            switch values[0] {
            case .number: return values[0]
            case .string(let text): return PythonNumberText.parse(text).map(JSONValue.number) ?? .null
            default: return .null
            }
        case "to_string":
            if case .string = values[0] { return values[0] }
            return .string(JSONWriter(escapesNonASCII: true).string(values[0].pythonNumbers))
        case "type":
            if case .expression = arguments[0] { return .null }
            return .string(Self.typeName(values[0]))
        default:
            throw JMESPathError(.unknownFunction, "unknown function: \(name)()")
        }
    }

    private static func numberLiterals(_ value: JSONValue) -> [String] {
        guard case .array(let elements) = value else { return [] }
        return elements.compactMap { if case .number(let literal) = $0 { literal } else { nil } }
    }

    private static func numbers(_ value: JSONValue) -> [Double] { numberLiterals(value).map(JSONNumber.double) }

    private static func scalarsContain(_ text: String, _ search: String) -> Bool {
        let haystack = Array(text.unicodeScalars), needle = Array(search.unicodeScalars)
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<$0 + needle.count]) == needle }
    }

    /// Two numbers or two strings in order; anything else cannot be ordered.
    private static func order(_ a: JSONValue, _ b: JSONValue, function: String) throws(JMESPathError) -> Ordering {
        switch (a, b) {
        case (.number(let x), .number(let y)): return Ordering(JSONNumber.double(x), JSONNumber.double(y))
        case (.string(let x), .string(let y)): return Ordering(x, y)
        default: throw typeError(function, "\(typeName(a)) and \(typeName(b)) to compare", expected: "values of one type")
        }
    }

    private static func key(_ interpreter: Interpreter, _ expression: Node, _ element: JSONValue, function: String, allowed: [String]) throws(JMESPathError) -> JSONValue {
        let key = try interpreter.evaluate(expression, element)
        guard allowed.contains(typeName(key)) else {
            throw typeError(function, typeName(key), expected: allowed.joined(separator: " or ") + " keys")
        }
        return key
    }

    /// Sorted by key, equal keys keeping their order.
    private static func stableSort(_ elements: [JSONValue], keys: [JSONValue], function: String) throws(JMESPathError) -> [JSONValue] {
        var failure: JMESPathError?
        let order = keys.indices.sorted { a, b in
            guard failure == nil else { return a < b }
            do throws(JMESPathError) {
                switch try Self.order(keys[a], keys[b], function: function) {
                case .less: return true
                case .greater: return false
                default: return a < b
                }
            } catch {
                failure = error
                return a < b
            }
        }
        if let failure { throw failure }
        return order.map { elements[$0] }
    }
}

/// What Python's `int()` and then `float()` accept in a string, for `to_number`: surrounding white
/// space, a sign, digits with single underscores between them; a fraction and an exponent for floats.
enum PythonNumberText {
    static func parse(_ text: String) -> String? {
        let trimmed = String(String.UnicodeScalarView(text.unicodeScalars.drop(while: \.properties.isWhitespace).reversed().drop(while: \.properties.isWhitespace).reversed()))
        var scalars = Substring(trimmed)
        var negative = false
        if let sign = scalars.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            scalars = scalars.dropFirst()
        }
        if let digits = digitRun(scalars), lengthWithUnderscores(scalars, digits) == scalars.count {
            let integer = digits.drop(while: { $0 == "0" })
            return integer.isEmpty ? "0" : (negative ? "-" : "") + integer
        }
        // A float: digits, optionally '.', digits, optional exponent, with at least one digit in the mantissa.
        var rest = scalars
        let whole = digitRun(rest) ?? ""
        rest = rest.dropFirst(lengthWithUnderscores(rest, whole))
        var fraction = ""
        if rest.first == "." {
            rest = rest.dropFirst()
            fraction = digitRun(rest) ?? ""
            rest = rest.dropFirst(lengthWithUnderscores(rest, fraction))
        }
        guard !(whole.isEmpty && fraction.isEmpty) else { return nil }
        var exponent = ""
        if let e = rest.first, e == "e" || e == "E" {
            rest = rest.dropFirst()
            var exponentSign = ""
            if let sign = rest.first, sign == "+" || sign == "-" {
                exponentSign = String(sign)
                rest = rest.dropFirst()
            }
            guard let digits = digitRun(rest) else { return nil }
            rest = rest.dropFirst(lengthWithUnderscores(rest, digits))
            exponent = "e" + exponentSign + digits
        }
        guard rest.isEmpty, let value = Double((negative ? "-" : "") + (whole.isEmpty ? "0" : whole) + "." + (fraction.isEmpty ? "0" : fraction) + exponent), value.isFinite else {
            return nil
        }
        return JSONNumber.literal(value)
    }

    /// The ASCII digits at the start, single underscores between digits removed; nil if there are none.
    private static func digitRun(_ text: Substring) -> String? {
        var digits = ""
        var lastWasUnderscore = false
        for character in text {
            if character.isASCII && character.isNumber {
                digits.append(character)
                lastWasUnderscore = false
            } else if character == "_" && !digits.isEmpty && !lastWasUnderscore {
                lastWasUnderscore = true
            } else {
                break
            }
        }
        // A trailing underscore is left outside the run (lengthWithUnderscores stops before it).
        return digits.isEmpty ? nil : digits
    }

    /// How many characters of `text` the digit run (with its underscores) takes.
    private static func lengthWithUnderscores(_ text: Substring, _ digits: String) -> Int {
        guard !digits.isEmpty else { return 0 }
        var seen = 0, length = 0
        for character in text {
            if seen == digits.count { break }
            length += 1
            if character != "_" { seen += 1 }
        }
        return length
    }
}
