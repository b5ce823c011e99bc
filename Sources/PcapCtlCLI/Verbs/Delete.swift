import ControlPlane

/// `delete`: stops the capture if it runs and removes the resource; the capture file stays.
enum DeleteVerb {
    static let noWait = CommonOptions.noWait("Accepted as az's; delete still returns only once the capture is gone, since the record may not go before the agent has delivered its file (a stop takes milliseconds).")

    static let verb = Verb(
        name: "delete",
        abstract: "Delete a packet capture session.",
        discussion: "A running capture is stopped first (stop reason Deleted) and its file delivered. This deletes the session, never the capture file: packets that could not be delivered are kept under $PCAPCTL_HOME/orphans/LOCATION/, and delete says where on stderr.",
        options: [CommonOptions.captureName, CommonOptions.location, CommonOptions.networkWatcherName, CommonOptions.resourceGroup, CommonOptions.ids, noWait, OptionSpec("yes", short: "y", .flag, help: "Accepted for az compatibility (its network-watcher group asks for confirmation); pcapctl never asks.")],
        examples: ["pcapctl delete -n cap1 -l local"],
        run: { context throws(PcapCtlError) in
            _ = try context.options.bool(noWait)
            let operations = context.operations, diagnostics = context.diagnostics
            return try context.forEachCapture { reference throws(PcapCtlError) in
                for kept in try operations.delete(reference) {
                    diagnostics.notice("kept the undelivered packets of '\(reference.name)' at \(kept)")
                }
            }
        })
}
