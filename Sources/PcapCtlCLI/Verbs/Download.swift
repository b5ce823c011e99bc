import ControlPlane
import Glibc

/// `download`: copies a finished capture file to a destination of the user's choice.
enum DownloadVerb {
    static let file = OptionSpec("file", .value(metavar: "DEST"), help: "Where to write the capture (a new file; for a scale set, a directory that gets one INSTANCE.cap per instance).", required: true)
    static let overwrite = OptionSpec("overwrite", .flag, help: "Replace DEST if it exists.")

    static let verb = Verb(
        name: "download",
        abstract: "Download the capture file of a finished packet capture session.",
        discussion: "Copies from the storage account if the capture has one, else from its --file-path. Refused while the capture is still running.",
        options: [CommonOptions.name, CommonOptions.location, CommonOptions.resourceGroup, file, overwrite],
        examples: ["pcapctl download -n cap1 -l local --file ./cap1.cap"],
        printsResult: false,
        run: { context throws(PcapCtlError) in try run(&context) })

    static func run(_ context: inout VerbContext) throws(PcapCtlError) -> Int32 {
        let destination = try context.options.required(file)
        guard !destination.isEmpty, !destination.utf8.contains(0) else { throw .usage("--file: the destination must be a path") }
        let capture = try context.loadNamedCapture()
        let service = CaptureService(environment: context.environment)
        let statuses = try service.instanceStatuses(capture)
        if statuses.contains(where: { !$0.1.isFinal }) {
            throw .failure("capture '\(capture.resource.name)' is still running; stop it ('pcapctl stop') or wait for it ('pcapctl wait') before downloading")
        }
        let isScaleSet = capture.resource.targetType == .azureVMSS
        if isScaleSet {
            do { try FileSystem.makeDirectories(destination) } catch {
                throw .failure("--file: cannot create directory '\(destination)': \(error)")
            }
        }
        for (instance, status) in statuses {
            let paths = service.store.instancePaths(capture, instance)
            let environment = context.environment
            let candidates = [instance.storageFile.map { "\(environment.storageRoot)/\($0)" }, instance.localFile.map { "\(environment.capturesRoot)/\($0)" }, paths.partialCapture]
            guard let source = candidates.compactMap({ $0 }).first(where: FileSystem.exists) else {
                throw .failure("capture '\(capture.resource.name)' has no file to download (status \(status.state.rawValue): \(status.errorMessage ?? "no packets were written"))")
            }
            let target = isScaleSet ? "\(destination)/\(instance.key).cap" : destination
            try copy(source, to: target, overwrite: context.options.has(overwrite))
        }
        return ExitCode.success
    }

    /// Copies through a hidden temporary beside the destination, then renames it into place.
    static func copy(_ source: String, to destination: String, overwrite: Bool) throws(PcapCtlError) {
        if !overwrite && FileSystem.exists(destination) {
            throw .failure("--file: '\(destination)' already exists; pass --overwrite to replace it")
        }
        let temporary = "\(FileSystem.parentDirectory(of: destination))/.\(FileSystem.baseName(of: destination)).download-\(getpid())"
        do {
            let input = try FileSystem.open(source, O_RDONLY)
            let output = try FileSystem.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
            while true {
                let chunk = try input.read(upTo: 1 << 20)
                if chunk.isEmpty { break }
                try output.writeAll(chunk)
            }
            try output.sync()
            try FileSystem.rename(temporary, destination)
        } catch {
            _ = unlink(temporary)
            throw .failure("--file: cannot write '\(destination)': \(error)")
        }
    }
}
