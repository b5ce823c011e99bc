import ControlPlane

/// `wait`: blocks until the capture has stopped, so a script can chain create, wait, download.
enum WaitVerb {
    static let timeout = OptionSpec("timeout", .value(metavar: "SECONDS"), help: "Give up after this many seconds (exit 1); 0 waits forever.", default: "0")

    static let verb = Verb(
        name: "wait",
        abstract: "Wait until a packet capture session has stopped.",
        options: [CommonOptions.name, CommonOptions.location, CommonOptions.resourceGroup, timeout],
        examples: ["pcapctl wait -n cap1 -l local --timeout 120"],
        printsResult: false,
        run: { context throws(PcapCtlError) in
            let seconds = try context.options.unsigned(timeout, in: 0...604_800, default: 0)
            let capture = try context.loadNamedCapture()
            let service = CaptureService(environment: context.environment)
            guard try service.waitUntilStopped(capture, timeout: seconds == 0 ? nil : Double(seconds)) else {
                throw .failure("timed out after \(seconds) s waiting for capture '\(capture.resource.name)' to stop")
            }
            return ExitCode.success
        })
}
