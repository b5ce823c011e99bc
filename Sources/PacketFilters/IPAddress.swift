import FoundationEssentials
import OrderedJSON

/// An IPv4 or IPv6 address as a number, so ranges compare numerically across notations
/// (`::1` and `0:0:0:0:0:0:0:1` are the same address).
enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt128)

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and a dotted IPv4 tail).
    ///
    /// Refused on purpose: octets with leading zeros (some parsers read them as octal),
    /// zone indexes (`%eth0`) and brackets, none of which a capture filter can express.
    static func parse(_ text: some StringProtocol) throws(ValueProblem) -> IPAddress {
        let text = String(text)
        if let address = parseIPv4(text) { return .v4(address) }
        if let address = parseIPv6(text) { return .v6(address) }
        throw ValueProblem(reason: "\(quoted(text)) is not an IPv4 or IPv6 address" + octetHint(text))
    }

    /// The canonical text (RFC 5952 for IPv6), which is also the form libpcap reads.
    var description: String {
        switch self {
        case .v4(let value): Self.format(ipv4: value)
        case .v6(let value): Self.format(ipv6: value)
        }
    }

    /// Names the offending octet when the text is otherwise a dotted quad.
    private static func octetHint(_ text: String) -> String {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ isASCIIDigits($0) && $0.count <= 3 }) else { return "" }
        guard let large = parts.first(where: { (Int($0) ?? 0) > 255 }) else { return "" }
        return " (octet \(large) is above 255)"
    }

    static func parseIPv4(_ text: some StringProtocol) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard isASCIIDigits(part), part.count <= 3, part == "0" || !part.hasPrefix("0"),
                  let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    static func parseIPv6(_ text: String) -> UInt128? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        let isCompressed = halves.count == 2
        guard var head = groups(halves[0]), var tail = isCompressed ? groups(halves[1]) : [] else {
            return nil
        }
        // A dotted IPv4 tail stands for the last two groups; it is only allowed at the very end.
        if isCompressed {
            guard let expanded = expandingIPv4Tail(tail) else { return nil }
            tail = expanded
        } else {
            guard let expanded = expandingIPv4Tail(head) else { return nil }
            head = expanded
        }
        let count = head.count + tail.count
        guard isCompressed ? count <= 7 : count == 8 else { return nil }
        var value: UInt128 = 0
        for group in head + Array(repeating: "0", count: 8 - count) + tail {
            guard group.count <= 4, let number = UInt16(group, radix: 16),
                  group.utf8.allSatisfy({ hexDigitValue($0) != nil }) else { return nil }
            value = value << 16 | UInt128(number)
        }
        return value
    }

    /// Splits one side of `::` into its groups; nil when a group is empty (`1::2:`, `:1::`).
    private static func groups(_ text: String) -> [String]? {
        guard !text.isEmpty else { return [] }
        let groups = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        return groups.contains(where: \.isEmpty) ? nil : groups
    }

    private static func expandingIPv4Tail(_ groups: [String]) -> [String]? {
        guard let last = groups.last, last.contains(".") else { return groups }
        guard let ipv4 = parseIPv4(last) else { return nil }
        return groups.dropLast() + [String(ipv4 >> 16, radix: 16), String(ipv4 & 0xFFFF, radix: 16)]
    }

    static func format(ipv4 value: UInt32) -> String {
        (0..<4).map { String((value >> (24 - 8 * UInt32($0))) & 0xFF) }.joined(separator: ".")
    }

    /// RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups as `::`.
    static func format(ipv6 value: UInt128) -> String {
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * UInt128($0))) }
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}

/// True for a non-empty run of ASCII digits (`Character.isNumber` would also take other scripts).
func isASCIIDigits(_ text: some StringProtocol) -> Bool {
    !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
}

