import ControlPlane

/// `delete`: stops the capture if it runs and removes the resource; the capture file stays.
enum DeleteVerb {
    static let verb = Verb(
        name: "delete",
        abstract: "Delete a packet capture session.",
        discussion: "A running capture is stopped first (stop reason Deleted) and its file delivered. This deletes the session, never the capture file.",
        options: [CommonOptions.name, CommonOptions.location, CommonOptions.resourceGroup, OptionSpec("no-wait", .flag, help: "Accepted for az compatibility; delete always waits.")],
        examples: ["pcapctl delete -n cap1 -l local"],
        printsResult: false,
        run: { context throws(PcapCtlError) in
            let name = try context.options.required(CommonOptions.name)
            try Validation.checkName(name)
            try CaptureService(environment: context.environment).delete(name: name, location: try context.location())
            return ExitCode.success
        })
}
