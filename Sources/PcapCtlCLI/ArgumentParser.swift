import ControlPlane

/// What the command line asked for.
public enum Invocation: Sendable {
    case topLevelHelp
    case version
    case help(Verb)
    case run(Verb, ParsedOptions)
}

/// Turns arguments into an `Invocation` against the verb tables. Pure: it never prints and never exits,
/// and every refusal is a usage error naming the offending word.
public enum ArgumentParser {
    public static func parse(_ arguments: [String], verbs: [Verb]) throws(PcapCtlError) -> Invocation {
        guard let first = arguments.first else { return .topLevelHelp }
        switch first {
        case "-h", "--help": return .topLevelHelp
        case "--version": return .version
        case "help":
            guard arguments.count > 1 else { return .topLevelHelp }
            return .help(try verb(named: arguments[1], in: verbs))
        default: break
        }
        let verb = try verb(named: first, in: verbs)
        let rest = Array(arguments.dropFirst())
        if rest.contains("-h") || rest.contains("--help") { return .help(verb) }
        return .run(verb, try parseOptions(rest, for: verb))
    }

    static func verb(named name: String, in verbs: [Verb]) throws(PcapCtlError) -> Verb {
        if let verb = verbs.first(where: { $0.name == name || $0.aliases.contains(name) }) { return verb }
        if name.hasPrefix("-") {
            throw .usage("unrecognized argument '\(Validation.printable(name))' before a command; see 'pcapctl --help'")
        }
        let visible = verbs.filter { !$0.isHidden }.map(\.name)
        let hint = Suggestion.hint(for: name, among: visible, prefix: "")
        throw .usage("'\(Validation.printable(name))' is not a pcapctl command.\(hint) Commands: \(visible.joined(separator: ", "))")
    }

    static func parseOptions(_ arguments: [String], for verb: Verb) throws(PcapCtlError) -> ParsedOptions {
        var parsed = ParsedOptions()
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            guard word.hasPrefix("-"), word.count > 1 else {
                if let positional = verb.options.first(where: { if case .positional = $0.kind { true } else { false } }), !parsed.has(positional) {
                    parsed.set(positional, [word])
                    continue
                }
                throw .usage("unrecognized argument '\(Validation.printable(word))'; see 'pcapctl \(verb.name) --help'")
            }
            var inlineValue: String?
            let option: OptionSpec
            if word.hasPrefix("--") {
                var name = String(word.dropFirst(2))
                if let equals = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                guard let match = verb.options.first(where: { $0.long == name || $0.aliases.contains(name) }) else {
                    let hint = Suggestion.hint(for: name, among: verb.options.filter { !$0.isHidden }.map(\.long), prefix: "--")
                    throw .usage("unrecognized option '--\(Validation.printable(name))' for 'pcapctl \(verb.name)'.\(hint)")
                }
                option = match
            } else {
                let letters = Array(word.dropFirst())
                guard let match = verb.options.first(where: { $0.short == letters[0] }) else {
                    throw .usage("unrecognized option '\(Validation.printable(word))' for 'pcapctl \(verb.name)'; see 'pcapctl \(verb.name) --help'")
                }
                option = match
                // `-ovalue` and `-o=value`, as argparse (and so az) reads them.
                if letters.count > 1 {
                    let rest = letters.dropFirst()
                    inlineValue = String(rest.first == "=" ? rest.dropFirst() : rest)
                }
            }
            switch option.kind {
            case .positional:
                throw .usage("unrecognized option '\(Validation.printable(word))' for 'pcapctl \(verb.name)'; see 'pcapctl \(verb.name) --help'")
            case .flag:
                guard inlineValue == nil else { throw .usage("--\(option.long) takes no value") }
                parsed.set(option, [])
            case .value:
                if let inlineValue {
                    parsed.set(option, [inlineValue])
                } else {
                    guard index < arguments.count, !looksLikeOption(arguments[index]) else {
                        throw .usage("--\(option.long) requires a value; provide one as '--\(option.long) <value>' or '--\(option.long)=<value>'")
                    }
                    parsed.set(option, [arguments[index]])
                    index += 1
                }
            case .optionalValue:
                let next = inlineValue == nil && index < arguments.count && !looksLikeOption(arguments[index]) ? arguments[index] : nil
                if next != nil { index += 1 }
                parsed.set(option, [inlineValue ?? next].compactMap { $0 })
            case .list:
                var values = inlineValue.map { [$0] } ?? []
                while index < arguments.count, !looksLikeOption(arguments[index]) {
                    values.append(arguments[index])
                    index += 1
                }
                guard !values.isEmpty else { throw .usage("--\(option.long) requires at least one value") }
                parsed.set(option, parsed.list(option) + values)
            }
        }
        for option in verb.options where option.isRequired && !parsed.has(option) {
            if case .positional(let metavar) = option.kind { throw .usage("the following arguments are required: \(metavar)") }
            throw .usage("the following arguments are required: \(option.short.map { "-\($0)/" } ?? "")--\(option.long)")
        }
        return parsed
    }

    /// A word that starts another option rather than being a value. Negative numbers stay values, so
    /// `--time-limit -5` reaches the range check and gets its own message.
    private static func looksLikeOption(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word.count > 1 else { return false }
        return !word.dropFirst().allSatisfy(\.isNumber)
    }
}

/// "Did you mean" by edit distance, as TSC's parser and git do.
enum Suggestion {
    /// ` Did you mean '--a' or '--b'?`, or empty when nothing is close.
    static func hint(for word: String, among candidates: [String], prefix: String) -> String {
        let matches = closest(to: word, among: candidates)
        guard !matches.isEmpty else { return "" }
        return " Did you mean " + matches.map { "'\(prefix)\($0)'" }.joined(separator: " or ") + "?"
    }

    /// Candidates the word abbreviates, else the nearest by edit distance if it is near enough.
    static func closest(to word: String, among candidates: [String]) -> [String] {
        let lowered = word.lowercased()
        let prefixed = candidates.filter { $0.hasPrefix(lowered) }
        if !word.isEmpty && !prefixed.isEmpty { return prefixed }
        let scored = candidates.map { ($0, distance(lowered, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return [] }
        return [best.0]
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.prefix(64)), b = Array(b.prefix(64))
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
