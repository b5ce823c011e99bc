import ControlPlane

/// `show`: the resource, as create printed it.
enum ShowVerb {
    static let verb = Verb(
        name: "show",
        abstract: "Show details of a packet capture session.",
        options: [CommonOptions.captureName, CommonOptions.location, CommonOptions.networkWatcherName, CommonOptions.resourceGroup, CommonOptions.ids],
        examples: ["pcapctl show -n cap1 -l local", "pcapctl show --ids $(pcapctl list --query [].id -o tsv)"],
        run: { context throws(PcapCtlError) in
            let operations = context.operations
            return try context.printEachCapture(view: .resource) { reference throws(PcapCtlError) in
                try operations.get(reference).resource
            }
        })
}
