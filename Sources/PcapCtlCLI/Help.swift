import Glibc

/// Help text, rendered from the same tables the parser reads, wrapped to the terminal's width.
enum Help {
    static let toolAbstract = "Named packet capture sessions on a Linux host, with the verbs, flags and JSON of 'az network watcher packet-capture'."

    static let exitCodes = "0 success, 1 failure, 2 usage error (nothing written), 3 capture or target not found."

    /// The environment variables pcapctl reads, with what each means (help and the man page list them).
    static let environment: [(name: String, meaning: String)] = [
        ("PCAPCTL_HOME", "State directory (default /var/lib/pcapctl)."),
        ("PCAPCTL_STORAGE_ROOT", "Storage accounts (default $PCAPCTL_HOME/storage)."),
        ("PCAPCTL_CAPTURES_ROOT", "Local --file-path values must lie beneath it (default /var/captures)."),
        ("PCAPCTL_SUBSCRIPTION", "Subscription id in resource ids (default 00000000-0000-0000-0000-000000000000); --subscription overrides it."),
        ("PCAPCTL_LOCATION", "Location used when -l is not given (default local)."),
        ("PCAPCTL_MAX_SESSIONS", "Running sessions allowed per location (default and maximum 10000)."),
    ]

    /// The width help is wrapped to: $COLUMNS when set, else the terminal's (TIOCGWINSZ), else 80.
    static func terminalWidth() -> Int {
        if let value = getenv("COLUMNS"), let columns = Int(String(cString: value)), columns > 0 { return max(columns, 40) }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return max(Int(size.ws_col), 40)
        }
        return 80
    }

    static func topLevel(verbs: [Verb], width: Int = terminalWidth()) -> String {
        var text = "OVERVIEW: " + wrap(toolAbstract, width: width, indent: 10, first: 10).dropFirst(10) + "\nUSAGE: pcapctl <command> [options]\n\nCOMMANDS:\n"
        let visible = verbs.filter { !$0.isHidden }
        text += columns(visible.map { ($0.name, $0.abstract) }, width: width)
        text += "\nGLOBAL OPTIONS (every command takes them):\n"
        text += columns([("-h, --help", "Show help (also 'pcapctl help <command>' and 'pcapctl <command> --help')."), ("--version", "Show the version.")]
            + CommonOptions.global.filter { $0 != CommonOptions.help }.map(row), width: width)
        text += "\nENVIRONMENT:\n" + columns(environment.map { ($0.name, $0.meaning) }, width: width)
        text += "\nEXIT CODES:\n" + wrap(exitCodes, width: width, indent: 2, first: 2)
        text += "\nSee 'pcapctl help <command>' for detailed help.\n"
        return text
    }

    static func verb(_ verb: Verb, width: Int = terminalWidth()) -> String {
        var text = "OVERVIEW: " + wrap(verb.abstract, width: width, indent: 10, first: 10).dropFirst(10)
        if let discussion = verb.discussion { text += "\n" + wrap(discussion, width: width, indent: 0, first: 0) }
        let required = verb.options.filter(\.isRequired).map(\.usageSpelling)
        text += "\nUSAGE: pcapctl \(verb.name)\((required.map { " \($0)" }).joined()) [options]\n\nOPTIONS:\n"
        let own = verb.options.filter { !$0.isHidden && !CommonOptions.global.contains($0) }
        text += columns(own.map(row), width: width)
        text += "\nGLOBAL OPTIONS:\n" + columns(CommonOptions.global.map(row), width: width)
        if !verb.examples.isEmpty {
            text += "\nEXAMPLES:\n" + verb.examples.map { "  \($0)\n" }.joined()
        }
        text += "\n" + wrap("EXIT CODES: \(exitCodes)", width: width, indent: 2, first: 0)
        return text
    }

    /// An option as help lists it: its spelling, and its help with what is allowed and the default.
    static func row(_ option: OptionSpec) -> (String, String) {
        (option.spelling, description(of: option))
    }

    static func description(of option: OptionSpec) -> String {
        var help = option.help
        if let allowed = option.allowedText { help += " (\(allowed))" }
        if option.isRequired { help += " (required)" }
        if let defaultText = option.defaultText { help += " (default: \(defaultText))" }
        return help
    }

    /// Two columns: terms, then their text wrapped beside them (below a term too long for the column).
    static func columns(_ rows: [(String, String)], width: Int) -> String {
        let column = min((rows.map(\.0.count).max() ?? 0) + 4, 34)
        var text = ""
        for (term, help) in rows {
            if term.count + 4 > column {
                text += "  \(term)\n" + wrap(help, width: width, indent: column, first: column)
            } else {
                text += "  " + term.padding(to: column - 2) + wrap(help, width: width, indent: column, first: column).dropFirst(column)
            }
        }
        return text
    }

    /// Words filled into lines of at most `width` characters, each indented by `indent` spaces (the
    /// first by `first`); a word longer than a line gets a line of its own.
    static func wrap(_ text: String, width: Int, indent: Int, first: Int) -> String {
        var lines: [String] = []
        var line = String(repeating: " ", count: first)
        var lineHasWord = false
        for word in text.split(separator: " ") {
            if lineHasWord && line.count + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: indent)
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
