import ControlPlane

/// One row of a verb's option table: the parser reads it, and `--help` is rendered from it, so the two
/// cannot drift apart.
public struct OptionSpec: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Present or absent, no value.
        case flag
        /// One value (`--x v` or `--x=v`); given twice, the last wins, as in az.
        case value(metavar: String)
        /// One or more values (`--include 0 1 2`), taken until the next option.
        case list(metavar: String)
        /// The first word that is not an option (`pcapctl query EXPR`).
        case positional(metavar: String)
    }

    /// What a value must be, read from the request field it feeds: the parser checks it, `--help` shows it,
    /// and the planner checks the same declaration again for requests that do not come from the CLI.
    public enum Rule: Sendable, Equatable {
        case unsigned(UnsignedField)
        case choice(ChoiceField)
    }

    public var long: String
    public var short: Character?
    public var kind: Kind
    public var rule: Rule?
    public var help: String
    public var defaultText: String?
    public var isRequired: Bool
    public var isHidden: Bool

    public init(_ long: String, short: Character? = nil, _ kind: Kind, rule: Rule? = nil, help: String, default defaultText: String? = nil, required: Bool = false, hidden: Bool = false) {
        self.long = long
        self.short = short
        self.kind = kind
        self.rule = rule
        self.help = help
        self.defaultText = defaultText ?? rule.map {
            switch $0 {
            case .unsigned(let field): "\(field.defaultValue)"
            case .choice(let field): field.defaultValue
            }
        }
        self.isRequired = required
        self.isHidden = hidden
    }

    /// The allowed values, as `--help` lists them: "0-18000", or "AzureVM, AzureVMSS".
    public var allowedText: String? {
        switch rule {
        case .unsigned(let field)?: "\(field.range.lowerBound)-\(field.range.upperBound)"
        case .choice(let field)?: field.choices.joined(separator: ", ")
        case nil: nil
        }
    }

    /// `-n, --name <NAME>` as help lists it.
    public var spelling: String { spelling(withShort: true) }

    /// `--name <NAME>` as the usage line shows it.
    public var usageSpelling: String { spelling(withShort: false) }

    private func spelling(withShort: Bool) -> String {
        let names = (withShort ? short.map { "-\($0), " } ?? "" : "") + "--\(long)"
        switch kind {
        case .positional(let metavar): return "<\(metavar)>"
        case .flag: return names
        case .value(let metavar): return "\(names) <\(metavar)>"
        case .list(let metavar): return "\(names) <\(metavar)>..."
        }
    }
}

/// Options shared by the verbs, so each is spelled and explained once.
public enum CommonOptions {
    public static let name = OptionSpec("name", short: "n", .value(metavar: "NAME"), help: "Name of the packet capture session.", required: true)
    public static let location = OptionSpec("location", short: "l", .value(metavar: "LOCATION"), help: "Location (region) of the capture: a namespace for names.", default: "$PCAPCTL_LOCATION or local")
    public static let resourceGroup = OptionSpec("resource-group", short: "g", .value(metavar: "GROUP"), help: "Resource group of the target VM and storage account, as carried in their ids.", default: "local")
    public static let output = OptionSpec("output", short: "o", .value(metavar: "FORMAT"), rule: .choice(Output.formatField), help: "Output format, as az renders it (jsonc and yamlc colour only on a terminal).")
    public static let query = OptionSpec("query", .value(metavar: "JMESPATH"), help: "JMESPath query (jmespath.org) applied to the result before it is rendered, as az's --query; see docs/query.md.")
    public static let help = OptionSpec("help", short: "h", .flag, help: "Show this help and exit.")
}

/// The options a verb's invocation carried, after the parser checked them against the verb's table.
public struct ParsedOptions: Sendable {
    public private(set) var values: [String: [String]] = [:]

    mutating func set(_ option: OptionSpec, _ newValues: [String]) {
        values[option.long] = newValues
    }

    public func has(_ option: OptionSpec) -> Bool { values[option.long] != nil }

    public func string(_ option: OptionSpec) -> String? { values[option.long]?.last }

    public func list(_ option: OptionSpec) -> [String] { values[option.long] ?? [] }

    /// A required value; the parser has already checked presence, so absence here is a table bug.
    public func required(_ option: OptionSpec) throws(PcapCtlError) -> String {
        guard let value = string(option) else { throw .usage("the following arguments are required: --\(option.long)") }
        return value
    }

    /// A whole number checked against the option's field (range and default), in az's wording.
    public func unsigned(_ option: OptionSpec) throws(PcapCtlError) -> UInt64 {
        guard case .unsigned(let field)? = option.rule else { preconditionFailure("--\(option.long) has no unsigned field") }
        let range = field.range
        guard let text = string(option) else { return field.defaultValue }
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) || (trimmed.hasPrefix("-") && trimmed.dropFirst().utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) && trimmed.count > 1) else {
            throw .usage("--\(option.long): Invalid format: '\(Validation.printable(text))' is not a whole number (allowed: \(range.lowerBound) to \(range.upperBound))")
        }
        if trimmed.hasPrefix("-") {
            throw .usage("--\(option.long): Invalid format: '\(Validation.printable(text))' is less than \(range.lowerBound)")
        }
        guard let value = UInt64(trimmed), value <= range.upperBound else {
            throw .usage("--\(option.long): Invalid format: '\(Validation.printable(text))' is greater than \(range.upperBound)")
        }
        guard value >= range.lowerBound else {
            throw .usage("--\(option.long): Invalid format: '\(Validation.printable(text))' is less than \(range.lowerBound)")
        }
        return value
    }

    /// One of the option's field's words, matched case-insensitively and returned as the field spells it.
    public func choice(_ option: OptionSpec) throws(PcapCtlError) -> String {
        guard case .choice(let field)? = option.rule else { preconditionFailure("--\(option.long) has no choice field") }
        guard let text = string(option) else { return field.defaultValue }
        do { return try field.match(text) } catch {
            throw .usage("--\(option.long): \(error.message)")
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first?.isWhitespace == true { scalars.removeFirst() }
        while scalars.last?.isWhitespace == true { scalars.removeLast() }
        return String(scalars)
    }
}
