import ControlPlane

/// `list`: every capture in a location (all locations without -l), whatever its status.
enum ListVerb {
    static let location = OptionSpec("location", short: "l", .value(metavar: "LOCATION"), help: "Only captures in this location.", default: "all locations")

    static let verb = Verb(
        name: "list",
        abstract: "List all packet capture sessions within a location.",
        options: [location, CommonOptions.resourceGroup],
        examples: ["pcapctl list -l local", "pcapctl list -o table"],
        run: { context throws(PcapCtlError) in
            let location = try context.options.string(location).map { value throws(PcapCtlError) in try Validation.normalizeLocation(value) }
            let captures = try CaptureService(environment: context.environment).list(location: location)
            try context.output.print(captures.map(\.resource), view: .resource)
            return ExitCode.success
        })
}
