import ControlPlane

/// `stop`: prints nothing and succeeds whether the capture was running or had stopped; returns when the file is final.
enum StopVerb {
    static let verb = Verb(
        name: "stop",
        abstract: "Stop a running packet capture session.",
        discussion: "Returns once the capture file is final and delivered. Stopping a capture that has already stopped succeeds and changes nothing.",
        options: [CommonOptions.name, CommonOptions.location, CommonOptions.resourceGroup, OptionSpec("no-wait", .flag, help: "Accepted for az compatibility; stop always waits for the file.")],
        examples: ["pcapctl stop -n cap1 -l local"],
        printsResult: false,
        run: { context throws(PcapCtlError) in
            try context.operations.stop(try context.captureReference())
            return ExitCode.success
        })
}
