import CaptureOperations
import ControlPlane
import JMESPath
import OrderedJSON

/// `wait`: blocks until a condition holds for the capture, so a script can chain create, wait, download.
/// az's conditions look at the resource; pcapctl's `--stopped`, the default, at its status.
enum WaitVerb {
    static let created = OptionSpec("created", .flag, help: "Wait until the capture exists with provisioningState Succeeded.")
    static let updated = OptionSpec("updated", .flag, help: "Wait until provisioningState is Succeeded; a capture that is not there is an error (exit 3).")
    static let deleted = OptionSpec("deleted", .flag, help: "Wait until the capture is gone.")
    static let exists = OptionSpec("exists", .flag, help: "Wait until the capture exists, whatever its state.")
    static let custom = OptionSpec("custom", .value(metavar: "JMESPATH"), help: "Wait until the JMESPath expression, over the resource as 'show' prints it, is true as az reads it (not null, false, 0, an empty string, list or object), e.g. \"provisioningState=='Succeeded'\".")
    static let stopped = OptionSpec("stopped", .flag, help: "pcapctl's own, and the condition when none is given: wait until every instance has stopped and its file is final.")
    static let interval = OptionSpec("interval", .value(metavar: "SECONDS"), rule: .unsigned(UnsignedField("interval", 1...86_400, default: 30)), help: "Polling interval in seconds, as az's; pcapctl reads local state and so looks every 50 ms whatever this says.")
    static let timeout = OptionSpec("timeout", .value(metavar: "SECONDS"), rule: .unsigned(UnsignedField("timeout", 0...604_800, default: 3600)), help: "Give up after this many seconds (exit 1, where az exits 0); 0 waits without limit.")

    static let conditions = [created, updated, deleted, exists, custom, stopped]

    static let verb = Verb(
        name: "wait",
        abstract: "Place the CLI in a waiting state until a condition of the packet capture session is met.",
        discussion: "Exits 0 once the condition is met; 1 when --timeout passes first (az exits 0 then: a script's 'wait && download' must not go on as if the capture had finished), or when the capture's provisioning failed; 3 when the capture is not there for --updated or --stopped.",
        options: [CommonOptions.captureName, CommonOptions.location, CommonOptions.networkWatcherName, CommonOptions.resourceGroup, CommonOptions.ids] + conditions + [interval, timeout],
        examples: [
            "pcapctl wait -n cap1 -l local --timeout 120",
            "pcapctl create -n cap1 --file-path /var/captures/cap1.cap --no-wait && pcapctl wait -n cap1 --created",
            "pcapctl wait -n cap1 --custom \"provisioningState=='Succeeded'\" --interval 5",
        ],
        run: { context throws(PcapCtlError) in
            let condition = try waitCondition(context.options)
            let seconds = try context.options.unsigned(timeout)
            let pollInterval = Double(try context.options.unsigned(interval))
            let operations = context.operations
            return try context.forEachCapture { reference throws(PcapCtlError) in
                let outcome = try operations.wait(for: reference, until: condition, timeout: seconds == 0 ? nil : Double(seconds), interval: pollInterval)
                if outcome == .timedOut {
                    throw .failure("timed out after \(seconds) s waiting for capture '\(reference.name)' to be \(condition.words)")
                }
            }
        })

    /// The one condition given (az's usage: `--created | --updated | --deleted | --exists | --custom
    /// JMESPATH`), or `--stopped` when none is.
    static func waitCondition(_ options: ParsedOptions) throws(PcapCtlError) -> WaitCondition {
        let given = conditions.filter(options.has)
        guard given.count <= 1 else {
            throw .usage("incorrect usage: give one of --created | --updated | --deleted | --exists | --custom JMESPATH | --stopped, not \(given.map { "--\($0.long)" }.joined(separator: " and "))")
        }
        switch given.first?.long {
        case created.long?: return .created
        case updated.long?: return .updated
        case deleted.long?: return .deleted
        case exists.long?: return .exists
        case custom.long?:
            let text = try options.required(custom)
            let expression: JMESPathExpression
            do throws(JMESPathError) { expression = try JMESPathExpression(text) } catch {
                throw .usage("--custom: invalid JMESPath expression\(error.position.map { " at position \($0)" } ?? ""): \(error.message)")
            }
            return .custom { view throws(PcapCtlError) in
                do throws(JMESPathError) {
                    return isTrue(try expression.search(Output.azShaped(JSONValue(encoding: view.resource))))
                } catch {
                    throw .failure("--custom: \(error.kind.rawValue) error: \(error.message)")
                }
            }
        default: return .stopped
        }
    }

    /// Python's truth, which az applies to the expression's result (`bool(...)`): JMESPath's own differs
    /// for 0.
    static func isTrue(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case .bool(let flag): flag
        case .number(let literal): Double(literal).map { $0 != 0 } ?? true
        case .string(let text): !text.isEmpty
        case .array(let elements): !elements.isEmpty
        case .object(let members): !members.isEmpty
        }
    }
}
