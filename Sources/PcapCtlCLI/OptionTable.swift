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
        /// Present alone, or with one value (`--no-wait`, `--no-wait false`, `--no-wait=false`), as
        /// argparse's `nargs='?'`: the next word is the value unless it starts another option.
        case optionalValue(metavar: String)
    }

    /// What a value must be, read from the request field it feeds: the parser checks it, `--help` shows it,
    /// and the planner checks the same declaration again for requests that do not come from the CLI.
    public enum Rule: Sendable, Equatable {
        case unsigned(UnsignedField)
        case choice(ChoiceField)
        /// az's boolean words (AAZBoolArg): true, t, yes, y, 1 and false, f, no, n, 0, in any case.
        case boolean
    }

    public var long: String
    /// Other long spellings that mean the same option (az's newer group spells some flags its own way).
    public var aliases: [String]
    public var short: Character?
    public var kind: Kind
    public var rule: Rule?
    public var help: String
    public var defaultText: String?
    public var isRequired: Bool
    public var isHidden: Bool

    public init(_ long: String, short: Character? = nil, aliases: [String] = [], _ kind: Kind, rule: Rule? = nil, help: String, default defaultText: String? = nil, required: Bool = false, hidden: Bool = false) {
        self.long = long
        self.aliases = aliases
        self.short = short
        self.kind = kind
        self.rule = rule
        self.help = help
        self.defaultText = defaultText ?? rule.flatMap {
            switch $0 {
            case .unsigned(let field): "\(field.defaultValue)"
            case .choice(let field): field.defaultValue
            case .boolean: nil
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
        case .boolean?: "true, false"
        case nil: nil
        }
    }

    /// The values a shell may complete for the option, from its rule.
    public var completionValues: [String] {
        switch rule {
        case .choice(let field)?: field.choices
        case .boolean?: ["true", "false"]
        case .unsigned?, nil: []
        }
    }

    /// `-n, --name <NAME>` as help lists it.
    public var spelling: String { spelling(withShort: true) }

    /// `--name <NAME>` as the usage line shows it.
    public var usageSpelling: String { spelling(withShort: false) }

    private func spelling(withShort: Bool) -> String {
        let names = (withShort ? short.map { "-\($0), " } ?? "" : "") + "--\(long)" + (withShort ? aliases.map { ", --\($0)" }.joined() : "")
        switch kind {
        case .positional(let metavar): return "<\(metavar)>"
        case .flag: return names
        case .value(let metavar): return "\(names) <\(metavar)>"
        case .list(let metavar): return "\(names) <\(metavar)>..."
        case .optionalValue(let metavar): return "\(names) [<\(metavar)>]"
        }
    }
}

/// Options shared by the verbs, so each is spelled and explained once.
public enum CommonOptions {
    public static let name = OptionSpec("name", short: "n", aliases: ["packet-capture-name"], .value(metavar: "NAME"), help: "Name of the packet capture session.", required: true)
    /// `az network network-watcher packet-capture` names the watcher instead of the location.
    public static let networkWatcherName = OptionSpec("network-watcher-name", .value(metavar: "WATCHER"), help: "The network watcher, as az's network-watcher group names it: NetworkWatcher_LOCATION stands for -l LOCATION (any other name is itself the location).")
    public static let location = OptionSpec("location", short: "l", .value(metavar: "LOCATION"), help: "Location (region) of the capture: a namespace for names.", default: "$PCAPCTL_LOCATION or local")
    public static let resourceGroup = OptionSpec("resource-group", short: "g", .value(metavar: "GROUP"), help: "Resource group of the target VM and storage account, as carried in their ids.", default: "local")
    public static let output = OptionSpec("output", short: "o", .value(metavar: "FORMAT"), rule: .choice(Output.formatField), help: "Output format, as az renders it (jsonc and yamlc colour only on a terminal).")
    public static let query = OptionSpec("query", .value(metavar: "JMESPATH"), help: "JMESPath query (jmespath.org) applied to the result before it is rendered, as az's --query; see docs/query.md.")
    public static let help = OptionSpec("help", short: "h", .flag, help: "Show this help and exit.")

    /// The verbs that address existing captures take them by `-n` (and `-l`) or by `--ids`.
    public static let captureName = OptionSpec("name", short: "n", aliases: ["packet-capture-name"], .value(metavar: "NAME"), help: "Name of the packet capture session (required unless --ids is given).")
    public static let ids = OptionSpec("ids", .list(metavar: "ID"), help: "One or more capture resource ids (as show prints them), in place of -n and -l; each is acted on in turn.")
    /// az's `--no-wait`, on the verbs whose operation az does not wait for when asked.
    public static func noWait(_ help: String) -> OptionSpec {
        OptionSpec("no-wait", .optionalValue(metavar: "BOOL"), rule: .boolean, help: help, default: "false")
    }

    // az's global arguments: every verb takes them, so that no line of a script fails on them.
    public static let onlyShowErrors = OptionSpec("only-show-errors", .flag, help: "Only show errors, suppressing warnings (a skipped unreadable record, where undelivered packets were kept).")
    public static let verbose = OptionSpec("verbose", .flag, help: "Also tell on stderr what pcapctl does: agents started and stopped, files delivered, waits for another pcapctl's lock.")
    public static let debug = OptionSpec("debug", .flag, help: "As --verbose, and every step besides: the command line, the state directory, each record read, each check of a wait.")
    public static let subscription = OptionSpec("subscription", .value(metavar: "ID"), help: "Subscription id for the resource ids create writes, instead of $PCAPCTL_SUBSCRIPTION.", default: "$PCAPCTL_SUBSCRIPTION or 00000000-0000-0000-0000-000000000000")
    public static let acquirePolicyToken = OptionSpec("acquire-policy-token", .flag, help: "Accepted for az compatibility; no effect (no Azure Policy applies to a local host).")
    public static let changeReference = OptionSpec("change-reference", .value(metavar: "ID"), help: "Accepted for az compatibility; no effect (no change records are kept).")

    /// What every verb takes besides its own options, in the order help lists them.
    public static let global = [output, query, onlyShowErrors, verbose, debug, subscription, acquirePolicyToken, changeReference, help]
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

    /// An optional boolean (`--no-wait`, `--no-wait false`): absent is false, present alone is true, and a
    /// value is one of az's boolean words.
    public func bool(_ option: OptionSpec) throws(PcapCtlError) -> Bool {
        guard case .boolean? = option.rule else { preconditionFailure("--\(option.long) is not a boolean") }
        guard let values = values[option.long] else { return false }
        guard let text = values.last else { return true }
        if let value = BooleanWords.value(of: text) { return value }
        throw .usage("--\(option.long): unrecognized value '\(Validation.printable(text))' from choices '[\(BooleanWords.all.joined(separator: ", "))]'")
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

/// az's boolean words (AAZBoolArg), matched without regard to case.
enum BooleanWords {
    static let truths = ["true", "t", "yes", "y", "1"]
    static let falsehoods = ["false", "f", "no", "n", "0"]
    static let all = truths + falsehoods

    static func value(of text: String) -> Bool? {
        let lowered = text.lowercased()
        if truths.contains(lowered) { return true }
        if falsehoods.contains(lowered) { return false }
        return nil
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
