import CaptureOperations
import ControlPlane
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
    static let captureSize = OptionSpec("capture-size", .value(metavar: "BYTES"), rule: .unsigned(CaptureFields.bytesToCapturePerPacket), help: "Bytes captured per packet, link header included; 0 captures whole packets, else at least \(CaptureFields.minimumBytesToCapturePerPacket).")
    static let captureLimit = OptionSpec("capture-limit", .value(metavar: "BYTES"), rule: .unsigned(CaptureFields.totalBytesPerSession), help: "Maximum size of the capture file in bytes, headers included; 0 for no limit.")
    static let timeLimit = OptionSpec("time-limit", .value(metavar: "SECONDS"), rule: .unsigned(CaptureFields.timeLimitInSeconds), help: "Maximum duration of the capture session; 0 for no limit.")
    static let filters = OptionSpec("filters", .value(metavar: "JSON"), help: "JSON list of packet filters (protocol, localIPAddress, remoteIPAddress, localPort, remotePort); @FILE reads it from a file.")
    static let include = OptionSpec("include", .list(metavar: "INSTANCE"), help: "Scale set instances to include, like 0 1 2.")
    static let exclude = OptionSpec("exclude", .list(metavar: "INSTANCE"), help: "Scale set instances to exclude.")
    static let interface = OptionSpec("interface", .value(metavar: "IFACE"), help: "Capture on one interface instead of all of them (libpcap's 'any').", default: "any")
    static let bufferSize = OptionSpec("buffer-size", .value(metavar: "BYTES"), rule: .unsigned(CaptureFields.bufferSize), help: "Kernel capture buffer in bytes.")
    static let noWait = OptionSpec("no-wait", .flag, help: "Return as soon as the capture is stored, without waiting for it to run.")

    static let verb = Verb(
        name: "create",
        abstract: "Create and start a packet capture session.",
        discussion: "The capture runs in a background agent until its time limit, its byte limit, or 'pcapctl stop'. Its file grows in the state directory and is delivered to --file-path and/or the storage account when it ends.",
        options: [CommonOptions.name, CommonOptions.location, CommonOptions.resourceGroup, vm, target, targetType, storageAccount, storagePath, filePath, captureSize, captureLimit, timeLimit, filters, include, exclude, interface, bufferSize, noWait],
        examples: [
            "pcapctl create -n cap1 --file-path /var/captures/cap1.cap --time-limit 60",
            "pcapctl create -n web --vm ns1 --storage-account acct1 --filters '[{\"protocol\":\"TCP\",\"localPort\":\"80;443\"}]'",
            "pcapctl create -n ss --target-type AzureVMSS --target web --include 0 1 --file-path /var/captures/ss.cap",
        ],
        run: { context throws(PcapCtlError) in try run(&context) })

    static func run(_ context: inout VerbContext) throws(PcapCtlError) -> Int32 {
        let options = context.options
        let request = CreateRequest(
            name: try options.required(CommonOptions.name),
            location: try context.location(),
            resourceGroup: options.string(CommonOptions.resourceGroup) ?? "local",
            vm: options.string(vm),
            target: options.string(target),
            targetType: TargetType(rawValue: try options.choice(targetType))!,
            storageAccount: options.string(storageAccount),
            storagePath: options.string(storagePath),
            filePath: options.string(filePath),
            captureSize: try options.unsigned(captureSize),
            captureLimit: try options.unsigned(captureLimit),
            timeLimit: try options.unsigned(timeLimit),
            filters: try parseFilters(options.string(filters)),
            include: options.list(include),
            exclude: options.list(exclude),
            interface: options.string(interface).flatMap { $0 == "any" ? nil : $0 },
            bufferSize: try options.unsigned(bufferSize))
        let capture = try context.operations.create(request)
        if !options.has(noWait) {
            let report = try context.operations.waitUntilStarted(capture, timeout: 20)
            if report.packetCaptureStatus == .error {
                throw .failure("capture '\(capture.name)' failed to start: \(report.errorMessage ?? report.packetCaptureError.map(\.rawValue).joined(separator: ", ")); see 'pcapctl show-status -n \(capture.name) -l \(capture.location)'")
            }
        }
        try context.output.print(capture.resource(), view: .resource)
        return ExitCode.success
    }

    /// Reads `--filters` (inline JSON or @FILE) into validated filters.
    static func parseFilters(_ value: String?) throws(PcapCtlError) -> [PacketCaptureFilter] {
        guard var text = value else { return [] }
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            let bytes: [UInt8]
            do { bytes = try FileSystem.readFile(path) } catch {
                throw .usage("filters", "cannot read '\(Validation.printable(path))': \(error)")
            }
            guard bytes.count <= 1 << 20 else { throw .usage("filters", "'\(Validation.printable(path))' is larger than 1 MiB") }
            text = String(decoding: bytes, as: UTF8.self)
        }
        do { return try FilterList.parse(json: text) } catch {
            throw .usage("filters", error.message)
        }
    }
}
