import ControlPlane

/// `stop`: prints nothing and succeeds whether the capture was running or had stopped; returns when the
/// file is final, or at once with `--no-wait`.
enum StopVerb {
    static let noWait = CommonOptions.noWait("Return once the stop is requested, before the file is final ('pcapctl wait' waits for it).")

    static let verb = Verb(
        name: "stop",
        abstract: "Stop a running packet capture session.",
        discussion: "Returns once the capture file is final and delivered. Stopping a capture that has already stopped succeeds and changes nothing.",
        options: [CommonOptions.captureName, CommonOptions.location, CommonOptions.networkWatcherName, CommonOptions.resourceGroup, CommonOptions.ids, noWait],
        examples: ["pcapctl stop -n cap1 -l local", "pcapctl stop -n cap1 -l local --no-wait && pcapctl wait -n cap1 -l local --stopped"],
        run: { context throws(PcapCtlError) in
            let requestOnly = try context.options.bool(noWait)
            let operations = context.operations
            return try context.forEachCapture { reference throws(PcapCtlError) in
                if requestOnly { try operations.requestStop(reference) } else { try operations.stop(reference) }
            }
        })
}
