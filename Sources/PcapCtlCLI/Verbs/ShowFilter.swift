import CaptureOperations
import ControlPlane

/// `show-filter`: the BPF expression a capture runs with, to check with `tcpdump -d`.
enum ShowFilterVerb {
    struct Result: Encodable {
        var expression: String?
    }

    static let name = OptionSpec("name", short: "n", .value(metavar: "NAME"), help: "Show the expression of this capture.")
    static let filters = OptionSpec("filters", .value(metavar: "JSON"), help: "Compile these filters instead (JSON list or @FILE), without creating anything.")

    static let verb = Verb(
        name: "show-filter",
        abstract: "Show the BPF expression compiled from a capture's filters.",
        discussion: "Without filters (everything is captured) there is no expression: JSON output is {}, as az leaves null members out.",
        options: [name, CommonOptions.location, filters],
        examples: ["pcapctl show-filter -n cap1 -l local", "pcapctl show-filter --filters '[{\"protocol\":\"UDP\",\"remotePort\":\"53\"}]'"],
        run: { context throws(PcapCtlError) in
            let options = context.options
            let expression: String?
            switch (options.string(name), options.string(filters)) {
            case (nil, let text?):
                // As create compiles them for its default device, libpcap's `any`.
                expression = try context.operations.compileFilters(try CreateVerb.parseFilters(text), on: .any)
            case (let captureName?, nil):
                try Validation.checkName(captureName)
                let reference = CaptureReference(name: captureName, location: try context.location())
                expression = try context.operations.get(reference).capture.settings.bpfExpression
            default:
                throw .usage("show-filter takes either -n/--name or --filters, not both and not neither")
            }
            try context.output.print(Result(expression: expression))
            return ExitCode.success
        })
}
