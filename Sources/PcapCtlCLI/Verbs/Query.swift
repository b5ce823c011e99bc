import ControlPlane
import Glibc
import JMESPath
import OrderedJSON

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
        guard let path else { return try readStandardInput() }
        do throws(Errno) { return try FileSystem.readFile(path) } catch {
            throw .usage("-f: cannot read '\(Validation.printable(path))': \(error)")
        }
    }

    private static func readStandardInput() throws(PcapCtlError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .failure("cannot read stdin: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }
}
