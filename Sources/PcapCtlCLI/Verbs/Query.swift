import ControlPlane
import JMESPath
import OrderedJSON
import SystemCalls

/// `query`: a JMESPath expression over JSON read from stdin (or a file), as `jp` does, so that an
/// expression can be tried on saved output before it goes into a script's `--query`.
enum QueryVerb {
    static let expression = OptionSpec("expression", .positional(metavar: "EXPRESSION"), help: "The JMESPath expression.", required: true)
    static let file = OptionSpec("filename", short: "f", .value(metavar: "FILE"), help: "Read the JSON document from FILE instead of stdin.")
    static let unquoted = OptionSpec("unquoted", short: "u", .flag, help: "Print a string result without quotes, as jp -u does.")

    static let verb = Verb(
        name: "query",
        abstract: "Evaluate a JMESPath expression over a JSON document from stdin.",
        discussion: "The result is printed as JSON (null included, as jp prints it) or in the -o format. A malformed expression exits 2 naming its position; an error while evaluating (a function given the wrong type) exits 1.",
        options: [expression, file, unquoted],
        examples: ["pcapctl list -o json | pcapctl query \"[?provisioningState=='Succeeded'].name\"", "pcapctl query -f status.json packetCaptureStatus -u"],
        run: { context throws(PcapCtlError) in try run(&context) })

    static func run(_ context: inout VerbContext) throws(PcapCtlError) -> Int32 {
        let text = try context.options.required(expression)
        let compiled: JMESPathExpression
        do throws(JMESPathError) { compiled = try JMESPathExpression(text) } catch {
            throw .usage("EXPRESSION: invalid JMESPath expression\(error.position.map { " at position \($0)" } ?? ""): \(error.message)")
        }
        let source = context.options.string(file)
        let bytes = try read(source)
        let document: JSONValue
        do throws(JSONSyntaxError) {
            document = try JSONReader.parse(bytes)
        } catch {
            throw .usage("\(source.map { "-f '\(Validation.printable($0))'" } ?? "stdin"): \(error.description)")
        }
        let result: JSONValue
        do throws(JMESPathError) { result = try compiled.search(document) } catch {
            throw .failure("\(error.kind.rawValue) error: \(error.message)")
        }
        if context.options.has(unquoted), case .string(let string) = result, context.output.query == nil {
            context.output.write(string + "\n")
        } else {
            try context.output.print(json: result, printsNull: true)
        }
        return ExitCode.success
    }

    /// The whole of the file, or of stdin.
    private static func read(_ path: String?) throws(PcapCtlError) -> [UInt8] {
        do throws(Errno) { return try FileSystem.readFile(path ?? "/dev/stdin") } catch {
            throw .usage("\(path.map { "-f: cannot read '\(Validation.printable($0))'" } ?? "cannot read stdin"): \(error)")
        }
    }
}
