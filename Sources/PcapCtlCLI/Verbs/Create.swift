import CaptureOperations
import ControlPlane
import OrderedJSON
import PacketFilters
import SystemCalls

/// `create`: validates everything, stores the resource, starts the agents, and prints the resource once
/// the capture runs (at once with `--no-wait`).
enum CreateVerb {
    static let vm = OptionSpec("vm", .value(metavar: "VM"), help: "VM to capture on: a network namespace name, pid:N for a process's namespace, or the host (its name or localhost).", default: "this host")
    static let target = OptionSpec("target", .value(metavar: "NAME_OR_ID"), help: "Target resource: with AzureVMSS, the scale set whose instances are the namespaces NAME_0, NAME_1, ...")
    static let targetType = OptionSpec("target-type", .value(metavar: "TYPE"), rule: .choice(CaptureFields.targetType), help: "Resource type of the target.")
    static let storageAccount = OptionSpec("storage-account", .value(metavar: "NAME_OR_ID"), help: "Storage account (a directory under $PCAPCTL_STORAGE_ROOT) to save the capture to.")
    static let storagePath = OptionSpec("storage-path", .value(metavar: "CONTAINER"), help: "Container in the storage account, a name or https://ACCOUNT.blob.core.windows.net/CONTAINER.", default: "network-watcher-logs")
    static let filePath = OptionSpec("file-path", .value(metavar: "PATH"), help: "Local file for the capture: must end in .cap and lie beneath $PCAPCTL_CAPTURES_ROOT (/var/captures).")
    static let captureSize = OptionSpec("capture-size", aliases: ["bytes-to-capture", "bytes-to-capture-per-packet"], .value(metavar: "BYTES"), rule: .unsigned(CaptureFields.bytesToCapturePerPacket), help: "Bytes captured per packet, link header included; 0 captures whole packets, else at least \(CaptureFields.minimumBytesToCapturePerPacket).")
    static let captureLimit = OptionSpec("capture-limit", aliases: ["total-bytes", "total-bytes-per-session"], .value(metavar: "BYTES"), rule: .unsigned(CaptureFields.totalBytesPerSession), help: "Maximum size of the capture file in bytes, headers included; 0 for no limit.")
    static let timeLimit = OptionSpec("time-limit", aliases: ["time-limit-in-seconds"], .value(metavar: "SECONDS"), rule: .unsigned(CaptureFields.timeLimitInSeconds), help: "Maximum duration of the capture session; 0 for no limit.")
    static let filters = OptionSpec("filters", .value(metavar: "JSON"), help: "JSON list of packet filters (protocol, localIPAddress, remoteIPAddress, localPort, remotePort); @FILE reads it from a file.")
    static let include = OptionSpec("include", .list(metavar: "INSTANCE"), help: "Scale set instances to include, like 0 1 2.")
    static let exclude = OptionSpec("exclude", .list(metavar: "INSTANCE"), help: "Scale set instances to exclude.")
    static let interface = OptionSpec("interface", .value(metavar: "IFACE"), help: "Capture on one interface instead of all of them (libpcap's 'any').", default: "any")
    static let bufferSize = OptionSpec("buffer-size", .value(metavar: "BYTES"), rule: .unsigned(CaptureFields.bufferSize), help: "Kernel capture buffer in bytes.")
    static let continuousCapture = OptionSpec("continuous-capture", .value(metavar: "BOOL"), rule: .boolean, help: "Continuous capture: true keeps a ring of the newest files (the oldest deleted), false stops when the files are full. Takes --local-path and --capture-settings instead of --file-path, --capture-limit and --time-limit.", default: "not continuous")
    static let captureSettings = OptionSpec("capture-settings", .list(metavar: "SETTINGS"), help: "A continuous capture's files, as JSON or shorthand: fileCount (\(CaptureFields.fileCount.range.lowerBound)-\(CaptureFields.fileCount.range.upperBound), default \(CaptureFields.fileCount.defaultValue)), fileSizeInBytes (0 or \(CaptureFields.minimumFileSizeInBytes)-\(CaptureFields.fileSizeInBytes.range.upperBound), default \(CaptureFields.fileSizeInBytes.defaultValue)), sessionTimeLimitInSeconds (\(CaptureFields.sessionTimeLimitInSeconds.range.lowerBound)-\(CaptureFields.sessionTimeLimitInSeconds.range.upperBound), default \(CaptureFields.sessionTimeLimitInSeconds.defaultValue)); 0 is no limit.")
    static let localPath = OptionSpec("local-path", .value(metavar: "PATH"), help: "A continuous capture's local files: PATH_00001_START.cap, ... beside PATH, which must end in .cap beneath $PCAPCTL_CAPTURES_ROOT.")
    static let storageLocation = OptionSpec("storage-location", .list(metavar: "LOCATION"), help: "az network-watcher's storage object, as JSON or shorthand: filePath, localPath, storageId, storagePath (the same as --file-path, --local-path, --storage-account, --storage-path).")
    static let noWait = CommonOptions.noWait("Return as soon as the capture is stored and its agents started, without waiting for them to capture; as az, print nothing.")

    static let verb = Verb(
        name: "create",
        abstract: "Create and start a packet capture session.",
        discussion: "The capture runs in a background agent until its time limit, its byte limit, or 'pcapctl stop'. Its file grows in the state directory and is delivered to --file-path and/or the storage account when it ends.",
        options: [CommonOptions.name, CommonOptions.location, CommonOptions.networkWatcherName, CommonOptions.resourceGroup, vm, target, targetType, storageAccount, storagePath, filePath, captureSize, captureLimit, timeLimit, filters, include, exclude, interface, bufferSize, continuousCapture, localPath, captureSettings, storageLocation, noWait],
        examples: [
            "pcapctl create -n cap1 --file-path /var/captures/cap1.cap --time-limit 60",
            "pcapctl create -n web --vm ns1 --storage-account acct1 --filters '[{\"protocol\":\"TCP\",\"localPort\":\"80;443\"}]'",
            "pcapctl create -n ss --target-type AzureVMSS --target web --include 0 1 --file-path /var/captures/ss.cap",
            "pcapctl create -n ring --continuous-capture true --local-path /var/captures/ring.cap --capture-settings '{\"fileCount\":3,\"fileSizeInBytes\":1048576}'",
        ],
        run: { context throws(PcapCtlError) in try run(&context) })

    static func run(_ context: inout VerbContext) throws(PcapCtlError) -> Int32 {
        let options = context.options
        let storage = try ObjectArgument(options.list(storageLocation), flag: "--storage-location", keys: ["filePath", "localPath", "storageId", "storagePath"])
        let settings = try ObjectArgument(options.list(captureSettings), flag: "--capture-settings", keys: ["fileCount", "fileSizeInBytes", "sessionTimeLimitInSeconds"])
        /// A storage member from its own flag or from --storage-location, not both.
        func storageValue(_ option: OptionSpec, _ key: String) throws(PcapCtlError) -> String? {
            if options.has(option) && storage.values[key] != nil {
                throw .usage("--\(option.long) and --storage-location \(key) say the same thing; give one of them")
            }
            return options.string(option) ?? storage.values[key]
        }
        let target = options.string(target)
        // az's network-watcher group names the watcher's group with -g; the target's is in its id.
        let targetGroup = options.has(CommonOptions.networkWatcherName) ? target.flatMap { ResourceID.resourceGroup(of: $0) } : nil
        let impliedType = !options.has(targetType) && target?.lowercased().contains("/virtualmachinescalesets/") == true
        let request = CreateRequest(
            name: try options.required(CommonOptions.name),
            location: try context.location(),
            resourceGroup: targetGroup ?? options.string(CommonOptions.resourceGroup) ?? "local",
            vm: options.string(vm),
            target: target,
            targetType: impliedType ? .azureVMSS : TargetType(rawValue: try options.choice(targetType))!,
            storageAccount: try storageValue(storageAccount, "storageId"),
            storagePath: try storageValue(storagePath, "storagePath"),
            filePath: try storageValue(filePath, "filePath"),
            captureSize: try options.unsigned(captureSize),
            captureLimit: options.has(captureLimit) ? try options.unsigned(captureLimit) : nil,
            timeLimit: options.has(timeLimit) ? try options.unsigned(timeLimit) : nil,
            continuousCapture: options.has(continuousCapture) ? try options.bool(continuousCapture) : nil,
            localPath: try storageValue(localPath, "localPath"),
            fileCount: try settings.unsigned("fileCount", CaptureFields.fileCount),
            fileSizeInBytes: try settings.unsigned("fileSizeInBytes", CaptureFields.fileSizeInBytes),
            sessionTimeLimitInSeconds: try settings.unsigned("sessionTimeLimitInSeconds", CaptureFields.sessionTimeLimitInSeconds),
            filters: try parseFilters(options.string(filters)),
            include: options.list(include),
            exclude: options.list(exclude),
            interface: options.string(interface).flatMap { $0 == "any" ? nil : $0 },
            bufferSize: try options.unsigned(bufferSize))
        let returnsAtOnce = try options.bool(noWait)
        let capture = try context.operations.create(request)
        if returnsAtOnce { return ExitCode.success }
        let report = try context.operations.waitUntilStarted(capture, timeout: 20)
        if report.packetCaptureStatus == .error {
            throw .failure("capture '\(capture.name)' failed to start: \(report.errorMessage ?? report.packetCaptureError.map(\.rawValue).joined(separator: ", ")); see 'pcapctl show-status -n \(capture.name) -l \(capture.location)'")
        }
        try context.output.print(capture.resource(), view: .resource)
        return ExitCode.success
    }

    /// Reads `--filters` into validated filters: az's shorthand syntax or JSON, inline or from @FILE, or
    /// YAML from a file named *.yaml or *.yml (az's rule for YAML). Every form becomes the same JSON
    /// document and goes through the same checks.
    static func parseFilters(_ value: String?) throws(PcapCtlError) -> [PacketCaptureFilter] {
        guard var text = value else { return [] }
        var isYAML = false
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            let bytes: [UInt8]
            do { bytes = try FileSystem.readFile(path) } catch {
                throw .usage("filters", "cannot read '\(Validation.printable(path))': \(error)")
            }
            guard bytes.count <= 1 << 20 else { throw .usage("filters", "'\(Validation.printable(path))' is larger than 1 MiB") }
            guard let decoded = String(validating: bytes, as: UTF8.self) else {
                throw .usage("filters", "'\(Validation.printable(path))' is not UTF-8 text")
            }
            text = decoded
            isYAML = path.hasSuffix(".yaml") || path.hasSuffix(".yml")
        }
        let document = try filterDocument(text, isYAML: isYAML)
        do throws(FilterError) {
            guard let document else { return try FilterList.parse(json: text) }
            return try FilterList.parse(document: document)
        } catch {
            throw .usage("filters", error.message)
        }
    }

    /// The document that YAML or shorthand text holds; nil for text to be read as JSON.
    private static func filterDocument(_ text: String, isYAML: Bool) throws(PcapCtlError) -> JSONValue? {
        if isYAML {
            do throws(YAMLSubset.SyntaxError) { return try YAMLSubset.parse(text) } catch {
                throw .usage("filters", "invalid YAML at line \(error.line): \(error.message)")
            }
        }
        // az tries its shorthand syntax first and JSON next; a JSON document is never valid shorthand
        // (shorthand words hold no double quotes), so the order changes no result.
        do throws(Shorthand.SyntaxError) { return try Shorthand.parse(text.trimmingSpaces) } catch {
            if text.contains("\"") || text.trimmingSpaces.isEmpty { return nil }
            throw .usage("filters", "shorthand syntax error at character \(error.position + 1): \(error.message) (or give JSON)")
        }
    }
}
