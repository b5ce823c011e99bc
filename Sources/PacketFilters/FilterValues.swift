/// The list grammar shared by address and port values: items separated by `;` (Azure's REST
/// notation) or `,` (the portal's), spaces around items ignored, one trailing separator allowed.
enum ValueList {
    /// Keeps one value's expansion bounded whatever the user pastes.
    static let maximumItems = 256

    /// The trimmed items of a non-empty, already trimmed value.
    static func items(of value: String) throws(ValueProblem) -> [String] {
        var body = Substring(value)
        if let last = body.last, isSeparator(last) {
            body = body.dropLast()
        }
        let items = body.split(omittingEmptySubsequences: false, whereSeparator: isSeparator).map(trimmed)
        guard items != [""] else {
            throw ValueProblem(reason: "\(quoted(value)) is an empty list")
        }
        guard !items.contains("") else {
            throw ValueProblem(reason: "\(quoted(value)) has an empty list item")
        }
        guard items.count <= maximumItems else {
            throw ValueProblem(reason: "the list has \(items.count) items (at most \(maximumItems))")
        }
        return items
    }

    private static func isSeparator(_ character: Character) -> Bool {
        character == ";" || character == ","
    }
}

func trimmed(_ text: some StringProtocol) -> String {
    var characters = Substring(text)
    while characters.first?.isWhitespace == true { characters.removeFirst() }
    while characters.last?.isWhitespace == true { characters.removeLast() }
    return String(characters)
}

/// Splits `a-b` at its first dash; nil when there is none.
private func rangeEnds(_ item: String) throws(ValueProblem) -> (start: String, end: String)? {
    guard let dash = item.firstIndex(of: "-") else { return nil }
    let start = trimmed(item[..<dash])
    let end = trimmed(item[item.index(after: dash)...])
    guard !start.isEmpty else { throw ValueProblem(reason: "range \(quoted(item)) has no start") }
    guard !end.isEmpty else { throw ValueProblem(reason: "range \(quoted(item)) has no end") }
    return (start, end)
}

/// A set of IPv4 and IPv6 addresses, each family as sorted, merged ranges.
struct AddressSet: Equatable, Sendable {
    var ipv4: [ClosedRange<UInt32>]
    var ipv6: [ClosedRange<UInt128>]

    init(ipv4: [ClosedRange<UInt32>], ipv6: [ClosedRange<UInt128>]) {
        self.ipv4 = mergedRanges(ipv4)
        self.ipv6 = mergedRanges(ipv6)
    }

    /// Parses a value such as `10.0.0.4`, `10.0.0.1-10.0.0.9`, `10.0.0.0/24`, `2001:db8::1`
    /// or a list of these.
    init(parsing value: String) throws(ValueProblem) {
        var ipv4: [ClosedRange<UInt32>] = []
        var ipv6: [ClosedRange<UInt128>] = []
        for item in try ValueList.items(of: value) {
            switch try Self.parseItem(item) {
            case .v4(let range): ipv4.append(range)
            case .v6(let range): ipv6.append(range)
            }
        }
        self.init(ipv4: ipv4, ipv6: ipv6)
    }

    /// How many CIDR blocks, so how many `host`/`net` primitives per direction, the set needs.
    var blockCount: Int {
        ipv4.reduce(0) { $0 + $1.cidrBlocks.count } + ipv6.reduce(0) { $0 + $1.cidrBlocks.count }
    }

    var isEmpty: Bool { ipv4.isEmpty && ipv6.isEmpty }

    /// Only the families `other` also has. A packet carries one family, so when both sides of a
    /// filter are set, addresses of a family the other side lacks can never match.
    func keepingFamilies(of other: AddressSet) -> AddressSet {
        AddressSet(ipv4: other.ipv4.isEmpty ? [] : ipv4, ipv6: other.ipv6.isEmpty ? [] : ipv6)
    }

    func contains(_ address: IPAddress) -> Bool {
        switch address {
        case .v4(let value): ipv4.contains { $0.contains(value) }
        case .v6(let value): ipv6.contains { $0.contains(value) }
        }
    }

    private enum ItemRange {
        case v4(ClosedRange<UInt32>)
        case v6(ClosedRange<UInt128>)
    }

    private static func parseItem(_ item: String) throws(ValueProblem) -> ItemRange {
        if item.contains("/") { return try parseBlock(item) }
        guard let (startText, endText) = try rangeEnds(item) else {
            return switch try IPAddress.parse(item) {
            case .v4(let address): .v4(address...address)
            case .v6(let address): .v6(address...address)
            }
        }
        let start: IPAddress
        let end: IPAddress
        do throws(ValueProblem) {
            start = try IPAddress.parse(startText)
            end = try IPAddress.parse(endText)
        } catch {
            throw ValueProblem(reason: "\(quoted(item)): \(error.reason)")
        }
        switch (start, end) {
        case (.v4(let low), .v4(let high)) where low <= high: return .v4(low...high)
        case (.v6(let low), .v6(let high)) where low <= high: return .v6(low...high)
        case (.v4, .v4), (.v6, .v6): throw ValueProblem(reason: "range \(quoted(item)) ends before it starts")
        default: throw ValueProblem(reason: "range \(quoted(item)) mixes IPv4 and IPv6")
        }
    }

    /// `address/prefix`; host bits must be clear so the block is what the user thinks it is.
    private static func parseBlock(_ item: String) throws(ValueProblem) -> ItemRange {
        let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let addressText = trimmed(parts[0])
        let prefixText = trimmed(parts.count > 1 ? parts[1] : "")
        let address: IPAddress
        do throws(ValueProblem) {
            address = try IPAddress.parse(addressText)
        } catch {
            throw ValueProblem(reason: "\(quoted(item)): \(error.reason)")
        }
        let width = switch address {
        case .v4: 32
        case .v6: 128
        }
        guard isASCIIDigits(prefixText), prefixText.count <= 3, let prefixLength = Int(prefixText) else {
            throw ValueProblem(reason: "\(quoted(item)): prefix length \(quoted(prefixText)) is not a number")
        }
        guard prefixLength <= width else {
            throw ValueProblem(reason: "\(quoted(item)): prefix length \(prefixLength) is above \(width)")
        }
        switch address {
        case .v4(let base):
            let block = CIDRBlock(base: base, prefixLength: prefixLength)
            try requireClearHostBits(block, item: item, format: { IPAddress.v4($0).description })
            return .v4(block.base...block.last)
        case .v6(let base):
            let block = CIDRBlock(base: base, prefixLength: prefixLength)
            try requireClearHostBits(block, item: item, format: { IPAddress.v6($0).description })
            return .v6(block.base...block.last)
        }
    }

    private static func requireClearHostBits<Address>(
        _ block: CIDRBlock<Address>, item: String, format: (Address) -> String
    ) throws(ValueProblem) {
        let network = block.base & ~block.hostMask
        guard network == block.base else {
            throw ValueProblem(reason:
                "\(quoted(item)) has host bits set (the block is \(format(network))/\(block.prefixLength))")
        }
    }
}

/// A set of TCP/UDP port numbers as sorted, merged ranges.
struct PortSet: Equatable, Sendable {
    var ranges: [ClosedRange<UInt16>]

    init(ranges: [ClosedRange<UInt16>]) {
        self.ranges = mergedRanges(ranges)
    }

    /// Parses a value such as `80`, `80-1024` or `80;443;8000-8080`.
    init(parsing value: String) throws(ValueProblem) {
        var ranges: [ClosedRange<UInt16>] = []
        for item in try ValueList.items(of: value) {
            ranges.append(try Self.parseItem(item))
        }
        self.init(ranges: ranges)
    }

    func contains(_ port: UInt16) -> Bool {
        ranges.contains { $0.contains(port) }
    }

    private static func parseItem(_ item: String) throws(ValueProblem) -> ClosedRange<UInt16> {
        // A leading dash is a sign, not a range: `-1` is "below 0" rather than "has no start".
        guard !item.hasPrefix("-"), let (startText, endText) = try rangeEnds(item) else {
            let port = try parsePort(item)
            return port...port
        }
        let start: UInt16
        let end: UInt16
        do throws(ValueProblem) {
            start = try parsePort(startText)
            end = try parsePort(endText)
        } catch {
            throw ValueProblem(reason: "\(quoted(item)): \(error.reason)")
        }
        guard start <= end else { throw ValueProblem(reason: "range \(quoted(item)) ends before it starts") }
        return start...end
    }

    /// Digits only, so `+80`, `0x50` and `80.0` are refused; any length is read without overflow.
    private static func parsePort(_ text: String) throws(ValueProblem) -> UInt16 {
        if text.hasPrefix("-") && isASCIIDigits(text.dropFirst()) {
            throw ValueProblem(reason: "\(quoted(text)) is below 0")
        }
        guard isASCIIDigits(text) else { throw ValueProblem(reason: "\(quoted(text)) is not a port number") }
        var value = 0
        for digit in text.utf8 {
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
            guard value <= Int(UInt16.max) else {
                throw ValueProblem(reason: "\(quoted(text)) is above 65535")
            }
        }
        return UInt16(value)
    }
}
