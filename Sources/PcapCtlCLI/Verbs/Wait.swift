import ControlPlane

/// `wait`: blocks until the capture has stopped, so a script can chain create, wait, download.
enum WaitVerb {
    static let timeout = OptionSpec("timeout", .value(metavar: "SECONDS"), rule: .unsigned(UnsignedField("timeout", 0...604_800, default: 0)), help: "Give up after this many seconds (exit 1); 0 waits forever.")

    static let verb = Verb(
        name: "wait",
        abstract: "Wait until a packet capture session has stopped.",
        options: [CommonOptions.name, CommonOptions.location, CommonOptions.resourceGroup, timeout],
        examples: ["pcapctl wait -n cap1 -l local --timeout 120"],
        printsResult: false,
        run: { context throws(PcapCtlError) in
            let seconds = try context.options.unsigned(timeout)
            let reference = try context.captureReference()
            guard try context.operations.waitUntilStopped(reference, timeout: seconds == 0 ? nil : Double(seconds)) else {
                throw .failure("timed out after \(seconds) s waiting for capture '\(reference.name)' to stop")
            }
            return ExitCode.success
        })
}
