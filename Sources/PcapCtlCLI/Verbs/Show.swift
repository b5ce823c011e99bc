import ControlPlane

/// `show`: the resource, as create printed it.
enum ShowVerb {
    static let verb = Verb(
        name: "show",
        abstract: "Show details of a packet capture session.",
        options: [CommonOptions.name, CommonOptions.location, CommonOptions.resourceGroup],
        examples: ["pcapctl show -n cap1 -l local"],
        run: { context throws(PcapCtlError) in
            try context.output.print(try context.operations.get(try context.captureReference()).resource, view: .resource)
            return ExitCode.success
        })
}
