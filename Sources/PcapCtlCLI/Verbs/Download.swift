import ControlPlane

/// `download`: copies a finished capture's own file to a destination of the user's choice.
enum DownloadVerb {
    static let file = OptionSpec("file", .value(metavar: "DEST"), help: "Where to write the capture (a new file; for a scale set, a directory that gets one INSTANCE.cap per instance).", required: true)
    static let overwrite = OptionSpec("overwrite", .flag, help: "Replace DEST if it exists.")
    static let fileName = OptionSpec("file-name", .value(metavar: "FILE"), help: "A continuous capture's one file to fetch, by the name show-status lists (to DEST, or into DEST if it is a directory).")

    static let verb = Verb(
        name: "download",
        abstract: "Download the capture file of a finished packet capture session.",
        discussion: "Copies the session's own bytes: a delivered file only while it is exactly as the capture delivered it, else the copy kept in the state directory when a delivery failed. Refused while the capture is still running, except for a continuous capture: its closed files can be fetched at any time, all of them into a directory (DEST ending in /) under their own names, or one with --file-name.",
        options: [CommonOptions.name, CommonOptions.location, CommonOptions.networkWatcherName, CommonOptions.resourceGroup, file, fileName, overwrite],
        examples: ["pcapctl download -n cap1 -l local --file ./cap1.cap", "pcapctl download -n ring --file ./ring/", "pcapctl download -n ring --file-name ring_00003_20261201212457.cap --file ./"],
        run: { context throws(PcapCtlError) in
            let reference = try context.captureReference()
            let destination = try context.options.required(file)
            _ = try context.operations.download(reference, to: destination, overwrite: context.options.has(overwrite), fileName: context.options.string(fileName))
            return ExitCode.success
        })
}
