import CaptureOperations
import ControlPlane

/// Which captures a verb acts on: `-n`/`-l`, or the captures' ARM ids (`--ids`), as az takes either.
extension VerbContext {
    /// `-l/--location`, or the location az's network-watcher group names through `--network-watcher-name`
    /// (`NetworkWatcher_LOCATION`), normalised.
    func location() throws(PcapCtlError) -> String {
        let watcher = options.string(CommonOptions.networkWatcherName).map { name in
            name.lowercased().hasPrefix("networkwatcher_") ? String(name.dropFirst("networkwatcher_".count)) : name
        }
        return try Validation.normalizeLocation(options.string(CommonOptions.location) ?? watcher ?? environment.defaultLocation)
    }

    /// `-n/--name` and `-l/--location`, checked.
    func captureReference() throws(PcapCtlError) -> CaptureReference {
        let name = try options.required(CommonOptions.name)
        try Validation.checkName(name)
        return CaptureReference(name: name, location: try location())
    }

    /// The captures named by `--ids`, every id checked before any is used, else the one `-n`/`-l` name.
    func captureReferences() throws(PcapCtlError) -> [CaptureReference] {
        let ids = options.list(CommonOptions.ids)
        guard !ids.isEmpty else {
            guard options.has(CommonOptions.captureName) else {
                throw .usage("the following arguments are required: -n/--name (or --ids)")
            }
            return [try captureReference()]
        }
        if options.has(CommonOptions.captureName) || options.has(CommonOptions.location) {
            throw .usage("--ids: give the captures either by --ids or by -n/--name and -l/--location, not both")
        }
        return try ids.map { id throws(PcapCtlError) in try CaptureID.parse(id) }
    }

    /// Runs `body` for each capture a verb names. With one capture its error is the verb's; with several
    /// (`--ids a b`), as az, each failure is reported on stderr and the others still run, and the first
    /// failure's exit code is the verb's.
    mutating func forEachCapture(_ body: (CaptureReference) throws(PcapCtlError) -> Void) throws(PcapCtlError) -> Int32 {
        try printEachCapture(view: .plain) { reference throws(PcapCtlError) -> Int? in
            try body(reference)
            return nil
        }
    }

    /// As `forEachCapture`, printing what `body` returns: one result alone, several as a list (az's shape
    /// for `--ids` with more than one id). A nil result prints nothing.
    mutating func printEachCapture<Result: Encodable>(view: Output.View, _ body: (CaptureReference) throws(PcapCtlError) -> Result?) throws(PcapCtlError) -> Int32 {
        let references = try captureReferences()
        if references.count == 1 {
            if let result = try body(references[0]) { try output.print(result, view: view) }
            return ExitCode.success
        }
        var results: [Result] = []
        var status = ExitCode.success
        for reference in references {
            do throws(PcapCtlError) {
                if let result = try body(reference) { results.append(result) }
            } catch {
                Output.writeError(CommandLineError.line(for: error, options: options))
                if status == ExitCode.success { status = error.exitCode }
            }
        }
        if !results.isEmpty { try output.print(results, view: view) }
        return status
    }
}

/// A packet capture's ARM id: `/subscriptions/S/resourceGroups/G/providers/Microsoft.Network/
/// networkWatchers/NetworkWatcher_LOCATION/packetCaptures/NAME`, as pcapctl writes them (create names the
/// watcher after the location, as Azure does for the watchers it makes itself).
enum CaptureID {
    static func parse(_ id: String) throws(PcapCtlError) -> CaptureReference {
        let shown = Validation.printable(id)
        let expected = "expected /subscriptions/SUB/resourceGroups/GROUP/providers/Microsoft.Network/networkWatchers/NetworkWatcher_LOCATION/packetCaptures/NAME"
        let segments = id.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let keys = ["", "subscriptions", nil, "resourcegroups", nil, "providers", "microsoft.network", "networkwatchers", nil, "packetcaptures", nil]
        guard segments.count == keys.count,
              zip(segments, keys).allSatisfy({ segment, key in key.map { segment.lowercased() == $0 } ?? !segment.isEmpty })
        else {
            throw .usage("--ids: '\(shown)' is not a packet capture id (\(expected))")
        }
        guard Validation.isResourceName(segments[2]), Validation.isResourceName(segments[4]) else {
            throw .usage("--ids: '\(shown)': the subscription and resource group must be letters, digits, '-', '_' or '.'")
        }
        let watcher = segments[8]
        let prefix = "networkwatcher_"
        guard watcher.lowercased().hasPrefix(prefix) else {
            throw .notFound("network watcher '\(Validation.printable(watcher))' was not found: pcapctl's watchers are named NetworkWatcher_LOCATION")
        }
        let location: String
        do throws(PcapCtlError) { location = try Validation.normalizeLocation(String(watcher.dropFirst(prefix.count))) } catch {
            throw .usage("--ids: '\(shown)': \(error.message)")
        }
        let name = segments[10]
        do throws(PcapCtlError) { try Validation.checkName(name) } catch {
            throw .usage("--ids: '\(shown)': \(error.message)")
        }
        return CaptureReference(name: name, location: location, id: id)
    }
}
