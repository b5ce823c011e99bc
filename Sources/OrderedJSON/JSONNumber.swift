/// Number literals as values and values as literals, by the rules of Python's `json` module, which
/// az and the JMESPath reference implementation print with: integers exactly, other numbers in their
/// shortest round-trip form, fixed between 1e-4 and 1e16 and in exponent form outside.
public enum JSONNumber {
    /// Whether the literal is an integer (no fraction, no exponent), as a reader that keeps integers apart
    /// from floating-point numbers sees it.
    public static func isInteger(_ literal: String) -> Bool {
        !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }

    /// The literal's value as a double (huge literals become infinity, as in every JSON reader).
    public static func double(_ literal: String) -> Double {
        Double(literal) ?? 0
    }

    /// The literal as Python prints what `json.loads` made of it: integers without `-0`, others in
    /// `repr(float)` form (`1.50` is `1.5`, `1e3` is `1000.0`).
    public static func canonical(_ text: String) -> String {
        if isInteger(text) {
            return text.utf8.dropFirst(text.hasPrefix("-") ? 1 : 0).allSatisfy { $0 == UInt8(ascii: "0") } ? "0" : text
        }
        return literal(double(text))
    }

    /// An integral result (`length`, `floor`, an integer sum) as its digits.
    public static func literal(integer value: Double) -> String {
        if let exact = Int64(exactly: value) { return String(exact) }
        return literal(value)
    }

    /// Python's `repr(float)`: shortest digits that round-trip; fixed notation for decimal exponents from
    /// -4 to 15 (always with a fraction, `2.0`), else `d.ddde+XX`. Infinity and NaN as Python's JSON spells them.
    public static func literal(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        // Swift's description is the shortest round-trip form too, only laid out differently.
        var text = Substring(value.magnitude.description)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var digits: String
        if let dot = text.firstIndex(of: ".") {
            let whole = text[..<dot], fraction = text[text.index(after: dot)...]
            digits = String(whole) + fraction
            exponent += whole.count - 1
        } else {
            digits = String(text)
            exponent += text.count - 1
        }
        // Leading zeros (0.001 is "0.001") move the exponent; trailing zeros carry nothing.
        while digits.count > 1 && digits.hasPrefix("0") { digits.removeFirst(); exponent -= 1 }
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        if digits == "0" { exponent = 0 }
        let sign = value.sign == .minus ? "-" : ""
        if exponent >= -4 && exponent < 16 {
            if exponent < 0 { return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits }
            if digits.count <= exponent + 1 {
                return sign + digits + String(repeating: "0", count: exponent + 1 - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: exponent + 1)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let mantissa = digits.count == 1 ? digits : String(digits.prefix(1)) + "." + digits.dropFirst()
        let exponentDigits = String(abs(exponent))
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (exponentDigits.count < 2 ? "0" : "") + exponentDigits
    }
}

extension JSONValue {
    /// The same value with every number spelled as Python prints it after `json.loads` (`1.50` as `1.5`),
    /// which is how az and the JMESPath reference implementation print results.
    public var pythonNumbers: JSONValue {
        switch self {
        case .number(let literal): .number(JSONNumber.canonical(literal))
        case .array(let elements): .array(elements.map(\.pythonNumbers))
        case .object(let members): .object(members.map { ($0.key, $0.value.pythonNumbers) })
        default: self
        }
    }
}
