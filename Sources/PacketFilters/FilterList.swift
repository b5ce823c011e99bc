import OrderedJSON

/// Reads and checks filter lists in Azure's `PacketCaptureFilter` JSON notation.
public enum FilterList {
    /// Keeps the compiled expression within what libpcap handles comfortably.
    public static let maximumFilters = 100

    /// Address blocks (after splitting ranges into CIDR blocks) plus port ranges, over the whole
    /// list. The expression has two primitives per condition; past a few hundred, libpcap's
    /// optimiser takes seconds and the program nears Linux's 4096-instruction limit for
    /// in-kernel filters.
    public static let maximumConditions = 256

    /// Parses and validates user JSON text (the content of --filters, already read from @file by the caller).
    public static func parse(json text: String) throws(FilterError) -> [PacketCaptureFilter] {
        try parse(document: try readJSON(text))
    }

    /// Validates a document already read (from az's shorthand syntax or YAML, say) by the same rules.
    public static func parse(document: JSONValue) throws(FilterError) -> [PacketCaptureFilter] {
        guard case .array(let elements) = document else {
            var message = "filters must be a JSON list of objects, found \(document.kindDescription)"
            if case .object = document { message += " (put a single filter in [ ])" }
            throw FilterError(message: message)
        }
        var checker = try ListChecker(count: elements.count)
        var filters: [PacketCaptureFilter] = []
        for (index, element) in elements.enumerated() {
            let filter = try makeFilter(from: element, position: index + 1)
            try checker.check(filter, position: index + 1)
            filters.append(filter)
        }
        return filters
    }

    /// Validates filters decoded from the store (same rules), for defence in depth.
    public static func validate(_ filters: [PacketCaptureFilter]) throws(FilterError) {
        var checker = try ListChecker(count: filters.count)
        for (index, filter) in filters.enumerated() {
            try checker.check(filter, position: index + 1)
        }
    }

    /// The rules over a whole list, applied filter by filter so errors come in list order and
    /// a huge list stops at the filter that passes a limit.
    private struct ListChecker {
        private var conditions = 0

        init(count: Int) throws(FilterError) {
            guard count <= maximumFilters else {
                throw FilterError(message: "too many filters: \(count) (at most \(maximumFilters))")
            }
        }

        mutating func check(_ filter: PacketCaptureFilter, position: Int) throws(FilterError) {
            conditions += try FilterSpec(filter, position: position).conditionCount
            guard conditions <= maximumConditions else {
                throw FilterError(message:
                    "the filters need more than \(maximumConditions) address blocks and port ranges in total "
                    + "(passed at filter \(position)); use CIDR blocks, wider port ranges or fewer filters")
            }
        }
    }

    /// Maps one JSON object to a filter, accepting every key spelling az accepts.
    /// Values are only checked for their JSON type here; `FilterSpec` checks their syntax.
    private static func makeFilter(
        from element: JSONValue, position: Int
    ) throws(FilterError) -> PacketCaptureFilter {
        guard case .object(let members) = element else {
            throw FilterError(position: position, "must be a JSON object, found \(element.kindDescription)")
        }
        var filter = PacketCaptureFilter()
        var keysSeen: [FilterField: String] = [:]
        for (key, value) in members {
            guard let field = FilterField(userKey: key) else {
                throw FilterError(position: position,
                                  "unknown key \(quoted(key)) (expected \(FilterField.expectedKeysList))")
            }
            if let earlierKey = keysSeen[field] {
                let spellings = "\(quoted(earlierKey)) and \(quoted(key))"
                throw FilterError(position: position, "\(field.rawValue) is given twice (as \(spellings))")
            }
            keysSeen[field] = key
            switch field {
            case .protocol:
                filter.protocol = try protocolValue(value, position: position)
            case .localIPAddress:
                filter.localIPAddress = try stringValue(value, field, position: position)
            case .remoteIPAddress:
                filter.remoteIPAddress = try stringValue(value, field, position: position)
            case .localPort:
                filter.localPort = try portValue(value, field, position: position)
            case .remotePort:
                filter.remotePort = try portValue(value, field, position: position)
            }
        }
        return filter
    }

    /// The trimmed string, or nil for `null` and blank strings (both mean unset).
    private static func stringValue(
        _ value: JSONValue, _ field: FilterField, position: Int
    ) throws(FilterError) -> String? {
        switch value {
        case .null:
            return nil
        case .string(let text):
            let value = trimmed(text)
            return value.isEmpty ? nil : value
        default:
            throw FilterError(position: position, field: field,
                              ValueProblem(reason: "must be a string, found \(value.kindDescription)"))
        }
    }

    /// Ports may also be JSON integers; they are kept as their digits so the store holds strings.
    private static func portValue(
        _ value: JSONValue, _ field: FilterField, position: Int
    ) throws(FilterError) -> String? {
        switch value {
        case .null, .string:
            return try stringValue(value, field, position: position)
        case .number(let literal) where isASCIIDigits(literal.drop(while: { $0 == "-" })):
            // Kept with its sign so a negative port is refused as "below 0" by the port rules.
            return literal
        default:
            throw FilterError(position: position, field: field, ValueProblem(
                reason: "must be a string or a whole number, found \(value.kindDescription)"))
        }
    }

    /// Any letter case; blank or null means `Any`.
    private static func protocolValue(
        _ value: JSONValue, position: Int
    ) throws(FilterError) -> FilterProtocol {
        guard let text = try stringValue(value, .protocol, position: position) else { return .any }
        guard let match = FilterProtocol.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            let problem = "\(quoted(text)) is not supported: protocol must be TCP, UDP or Any"
            throw FilterError(position: position, field: .protocol, ValueProblem(reason: problem))
        }
        return match
    }
}
