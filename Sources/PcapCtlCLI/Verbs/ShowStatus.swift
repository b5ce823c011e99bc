import ControlPlane

/// `show-status`: Azure's status fields, pcapctl's counters and, for a scale set, each instance.
enum ShowStatusVerb {
    static let verb = Verb(
        name: "show-status",
        abstract: "Show the status of a packet capture session.",
        discussion: "packetCaptureStatus is NotStarted, Running, Stopped or Error. stopReason is TimeExceeded, TotalBytesExceeded, StopRequested or Deleted for a normal stop, and the error's name (AgentStopped, CaptureFailed, LocalFileFailed, StorageFailed, InternalError) for a failure, explained in errorMessage.",
        options: [CommonOptions.name, CommonOptions.location, CommonOptions.resourceGroup, OptionSpec("no-wait", .flag, help: "Accepted for az compatibility; status is always immediate.")],
        examples: ["pcapctl show-status -n cap1 -l local"],
        run: { context throws(PcapCtlError) in
            try context.output.print(try context.operations.status(try context.captureReference()), view: .status)
            return ExitCode.success
        })
}
