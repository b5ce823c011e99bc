/// Why a filter list was refused, as one line a user can act on.
///
/// Messages name the filter's 1-based position, the field's canonical name and the rule,
/// for example `filter 2: localPort: '70000' is above 65535`.
public struct FilterError: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }

    /// An error about one field of the filter at `position` (1-based).
    init(position: Int, field: FilterField, _ problem: ValueProblem) {
        self.init(message: "filter \(position): \(field.rawValue): \(problem.reason)")
    }

    /// An error about the filter at `position` (1-based) as a whole.
    init(position: Int, _ reason: String) {
        self.init(message: "filter \(position): \(reason)")
    }
}

/// What is wrong with one value, before it is known which filter and field it came from.
struct ValueProblem: Error, Equatable {
    let reason: String
}

/// The fields of a filter, by canonical name.
enum FilterField: String, CaseIterable, Sendable {
    case `protocol`
    case localIPAddress
    case remoteIPAddress
    case localPort
    case remotePort

    /// The form every accepted spelling reduces to: lowercased, without `_` and `-`.
    var normalizedKey: String { rawValue.lowercased() }

    /// Finds the field a user-written key means (`localIpAddress`, `local_ip_address`, ...).
    init?(userKey: String) {
        let normalized = String(userKey.lowercased().filter { $0 != "_" && $0 != "-" })
        guard let field = FilterField.allCases.first(where: { $0.normalizedKey == normalized }) else {
            return nil
        }
        self = field
    }

    static let expectedKeysList = allCases.map(\.rawValue).joined(separator: ", ")
}

/// User text as messages show it: in single quotes, on one line (control and line-breaking
/// characters escaped), and cut short past 80 characters so a pasted list stays readable.
func quoted(_ text: some StringProtocol) -> String {
    let limit = 80
    var shown = ""
    for scalar in text.unicodeScalars.prefix(limit) {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .format:
            shown += "\\u{\(String(scalar.value, radix: 16))}"
        default:
            shown.unicodeScalars.append(scalar)
        }
    }
    return "'" + shown + (text.unicodeScalars.count > limit ? "..." : "") + "'"
}
