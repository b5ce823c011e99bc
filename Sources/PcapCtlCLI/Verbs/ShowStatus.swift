import ControlPlane

/// `show-status`: Azure's status fields, pcapctl's counters and, for a scale set, each instance.
enum ShowStatusVerb {
    static let noWait = CommonOptions.noWait("Do not wait for the status: as az, print nothing (the capture must exist all the same).")

    static let verb = Verb(
        name: "show-status",
        aliases: ["query-status"],
        abstract: "Show the status of a packet capture session.",
        discussion: "packetCaptureStatus is NotStarted, Running, Stopped or Error. stopReason is TimeExceeded, TotalBytesExceeded, StopRequested or Deleted for a normal stop, and the error's name (AgentStopped, CaptureFailed, LocalFileFailed, StorageFailed, InternalError) for a failure, explained in errorMessage. A continuous capture adds captureFiles (each closed file: name, first and last packet time, packets, bytes, its path in each destination) and what its ring rotated out (filesRotatedOut, packetsRotatedOut, bytesRotatedOut); the counters are the whole session's. FileCountExceeded: a continuous capture with continuousCapture false filled its files.",
        options: [CommonOptions.captureName, CommonOptions.location, CommonOptions.networkWatcherName, CommonOptions.resourceGroup, CommonOptions.ids, noWait],
        examples: ["pcapctl show-status -n cap1 -l local", "status=$(pcapctl show-status -n cap1 -l local --query packetCaptureStatus -o tsv)"],
        run: { context throws(PcapCtlError) in
            let printsNothing = try context.options.bool(noWait)
            let operations = context.operations
            return try context.printEachCapture(view: .status) { reference throws(PcapCtlError) in
                let status = try operations.status(reference)
                return printsNothing ? nil : status
            }
        })
}
