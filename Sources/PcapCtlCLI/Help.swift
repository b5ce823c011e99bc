/// Help text, rendered from the same tables the parser reads.
enum Help {
    static let toolAbstract = "Named packet capture sessions on a Linux host, with the verbs, flags and JSON of 'az network watcher packet-capture'."

    static let exitCodes = "0 success, 1 failure, 2 usage error (nothing written), 3 capture or target not found."

    static func topLevel(verbs: [Verb]) -> String {
        var text = "OVERVIEW: \(toolAbstract)\n\nUSAGE: pcapctl <command> [options]\n\nCOMMANDS:\n"
        let visible = verbs.filter { !$0.isHidden }
        let width = (visible.map(\.name.count).max() ?? 0) + 2
        for verb in visible {
            text += "  \(verb.name.padding(to: width))\(verb.abstract)\n"
        }
        text += """

            GLOBAL OPTIONS:
              -h, --help     Show help (also 'pcapctl help <command>' and 'pcapctl <command> --help').
              --version      Show the version.

            ENVIRONMENT:
              PCAPCTL_HOME           State directory (default /var/lib/pcapctl).
              PCAPCTL_STORAGE_ROOT   Storage accounts (default $PCAPCTL_HOME/storage).
              PCAPCTL_CAPTURES_ROOT  Local --file-path values must lie beneath it (default /var/captures).
              PCAPCTL_SUBSCRIPTION   Subscription id in resource ids (default 00000000-0000-0000-0000-000000000000).
              PCAPCTL_LOCATION       Location used when -l is not given (default local).
              PCAPCTL_MAX_SESSIONS   Running sessions allowed per location (default and maximum 10000).

            EXIT CODES:
              \(exitCodes)

            See 'pcapctl help <command>' for detailed help.

            """
        return text
    }

    static func verb(_ verb: Verb) -> String {
        var text = "OVERVIEW: \(verb.abstract)\n"
        if let discussion = verb.discussion { text += "\n\(discussion)\n" }
        let required = verb.options.filter(\.isRequired).map(\.usageSpelling)
        text += "\nUSAGE: pcapctl \(verb.name)\((required.map { " \($0)" }).joined()) [options]\n\nOPTIONS:\n"
        let visible = verb.options.filter { !$0.isHidden }
        let width = min((visible.map(\.spelling.count).max() ?? 0) + 2, 34)
        for option in visible {
            var help = option.help
            if let allowed = option.allowedText { help += " (\(allowed))" }
            if option.isRequired { help += " (required)" }
            if let defaultText = option.defaultText { help += " (default: \(defaultText))" }
            let spelling = option.spelling
            if spelling.count + 2 > width {
                text += "  \(spelling)\n  \(String(repeating: " ", count: width))\(help)\n"
            } else {
                text += "  \(spelling.padding(to: width))\(help)\n"
            }
        }
        if !verb.examples.isEmpty {
            text += "\nEXAMPLES:\n" + verb.examples.map { "  \($0)\n" }.joined()
        }
        text += "\nEXIT CODES: \(exitCodes)\n"
        return text
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
