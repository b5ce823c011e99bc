import ControlPlane

/// `delete`: stops the capture if it runs and removes the resource; the capture file stays.
enum DeleteVerb {
    static let verb = Verb(
        name: "delete",
        abstract: "Delete a packet capture session.",
        discussion: "A running capture is stopped first (stop reason Deleted) and its file delivered. This deletes the session, never the capture file: packets that could not be delivered are kept under $PCAPCTL_HOME/orphans/LOCATION/, and delete says where on stderr.",
        options: [CommonOptions.name, CommonOptions.location, CommonOptions.resourceGroup, OptionSpec("no-wait", .flag, help: "Accepted for az compatibility; delete always waits.")],
        examples: ["pcapctl delete -n cap1 -l local"],
        printsResult: false,
        run: { context throws(PcapCtlError) in
            let reference = try context.captureReference()
            for kept in try context.operations.delete(reference) {
                Output.writeNotice("kept the undelivered packets of '\(reference.name)' at \(kept)")
            }
            return ExitCode.success
        })
}
