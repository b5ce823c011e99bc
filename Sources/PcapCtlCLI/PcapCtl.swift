import AzOutput
import CaptureAgent
import CaptureOperations
import ControlPlane
import Glibc
import JMESPath

/// The command line's entry point: parse, run one verb, map every error to one stderr line and an exit code.
public enum PcapCtl {
    public static let version = "0.1.0"

    /// Every verb, in the order `--help` lists them.
    public static let verbs: [Verb] = [
        CreateVerb.verb, ShowVerb.verb, ShowStatusVerb.verb, ListVerb.verb, StopVerb.verb, DeleteVerb.verb,
        DownloadVerb.verb, WaitVerb.verb, ShowFilterVerb.verb, QueryVerb.verb, CompletionVerb.verb, CompleteVerb.verb, ManPageVerb.verb,
    ]

    /// Runs the process's own command line and exits with its code.
    public static func main() -> Never {
        let raw = (1..<Int(CommandLine.argc)).map { index in
            let argument = CommandLine.unsafeArgv[index]!
            return argument.withMemoryRebound(to: UInt8.self, capacity: strlen(argument)) { Array(UnsafeBufferPointer(start: $0, count: strlen(argument))) }
        }
        do throws(PcapCtlError) {
            exit(run(arguments: try decodeArguments(raw)))
        } catch {
            Output.writeError(error.message)
            exit(error.exitCode)
        }
    }

    /// The arguments as text, refusing any that is not UTF-8. `CommandLine.arguments` would replace the bad
    /// bytes with U+FFFD, so a path typed in another encoding would name some other file without a word.
    static func decodeArguments(_ raw: [[UInt8]]) throws(PcapCtlError) -> [String] {
        var arguments: [String] = []
        for (position, bytes) in raw.enumerated() {
            guard let argument = String(validating: bytes, as: UTF8.self) else {
                let text = String(decoding: bytes, as: UTF8.self)
                let flag = text.hasPrefix("-") ? String(text.prefix { $0 != "=" }) : arguments.last.flatMap { $0.hasPrefix("-") ? $0 : nil }
                throw .usage("\(flag ?? "argument \(position + 1)"): the value is not valid UTF-8; pcapctl takes UTF-8 text only")
            }
            arguments.append(argument)
        }
        return arguments
    }

    public static func run(arguments: [String]) -> Int32 {
        if arguments.first == AgentCommandLine.verb {
            return AgentCommandLine.main(arguments, environment: PcapCtlEnvironment.fromProcessEnvironment())
        }
        // A reader that goes away (`pcapctl list | head`) must not kill us mid-write.
        signal(SIGPIPE, SIG_IGN)
        var parsedOptions: ParsedOptions?
        var output = Output(format: .json)
        var status = ExitCode.success
        do throws(PcapCtlError) {
            switch try ArgumentParser.parse(arguments, verbs: verbs) {
            case .topLevelHelp:
                output.write(Help.topLevel(verbs: verbs))
            case .version:
                output.write("pcapctl \(version)\n")
            case .help(let verb):
                output.write(Help.verb(verb))
            case .run(let verb, let options):
                parsedOptions = options
                let environment = try environment(options)
                let format = try options.choice(CommonOptions.output)
                output = Output(format: AzOutputFormat(rawValue: format)!, query: try compiledQuery(options))
                let diagnostics = Diagnostics(options)
                diagnostics.debug("command line: pcapctl \(arguments.map(Validation.printable).joined(separator: " "))")
                diagnostics.debug("state directory \(environment.home), subscription \(environment.subscription)")
                var context = VerbContext(
                    environment: environment, options: options, output: output,
                    operations: LocalCaptureHost.operations(environment: environment, events: diagnostics),
                    diagnostics: diagnostics)
                defer { output = context.output }
                status = try verb.run(&context)
            }
        } catch {
            Output.writeError(CommandLineError.line(for: error, options: parsedOptions))
            status = error.exitCode
        }
        // As coreutils: a result that could not be written is a failure, whatever the command did.
        if let failure = output.writeFailure {
            Output.writeWriteError(failure)
            return status == ExitCode.success ? ExitCode.failure : status
        }
        return status
    }

    /// The process's environment, with `--subscription` in place of PCAPCTL_SUBSCRIPTION when given.
    static func environment(_ options: ParsedOptions) throws(PcapCtlError) -> PcapCtlEnvironment {
        var environment = PcapCtlEnvironment.fromProcessEnvironment()
        if let subscription = options.string(CommonOptions.subscription) {
            guard Validation.isResourceName(subscription) else {
                throw .usage("--subscription: '\(Validation.printable(subscription))' must be letters, digits, '-', '_' or '.'")
            }
            environment.subscription = subscription
        }
        try environment.validate()
        return environment
    }

    /// `--query`, compiled before the verb runs, so that a malformed one is a usage error and nothing is done.
    static func compiledQuery(_ options: ParsedOptions) throws(PcapCtlError) -> JMESPathExpression? {
        guard let text = options.string(CommonOptions.query) else { return nil }
        do throws(JMESPathError) { return try JMESPathExpression(text) } catch {
            throw .usage("--query: invalid JMESPath expression\(error.position.map { " at position \($0)" } ?? ""): \(error.message)")
        }
    }
}
