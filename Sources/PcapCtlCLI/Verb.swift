import CaptureOperations
import ControlPlane

/// Everything a verb needs from the invocation: where state lives, the parsed options, where to write,
/// and the operations it calls.
public struct VerbContext {
    public var environment: PcapCtlEnvironment
    public var options: ParsedOptions
    public var output: Output
    public var operations: PacketCaptureOperations
    /// Warnings, and what the operations did under `--verbose`/`--debug`.
    public var diagnostics: Diagnostics
}

/// One subcommand: its option table (which drives both parsing and help) and what it does.
public struct Verb: Sendable {
    public var name: String
    /// Other names of the verb (az's network-watcher group calls show-status query-status).
    public var aliases: [String]
    public var abstract: String
    public var discussion: String?
    public var options: [OptionSpec]
    public var examples: [String]
    public var isHidden: Bool
    public var run: @Sendable (inout VerbContext) throws(PcapCtlError) -> Int32

    public init(
        name: String, aliases: [String] = [], abstract: String, discussion: String? = nil, options: [OptionSpec], examples: [String] = [],
        hidden: Bool = false, run: @escaping @Sendable (inout VerbContext) throws(PcapCtlError) -> Int32
    ) {
        self.name = name
        self.aliases = aliases
        self.abstract = abstract
        self.discussion = discussion
        self.options = options + CommonOptions.global
        self.examples = examples
        self.isHidden = hidden
        self.run = run
    }
}
