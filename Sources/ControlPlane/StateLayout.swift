/// Where everything lives under the state directory. One place computes every path, so the layout is
/// documented once (docs/reference.md, "State and storage layout").
///
///     $PCAPCTL_HOME/locations/<location>/.lock
///     $PCAPCTL_HOME/locations/<location>/live/<name>
///     $PCAPCTL_HOME/locations/<location>/captures/<name>/capture.json
///     $PCAPCTL_HOME/locations/<location>/captures/<name>/instances/<key>/{status.json,agent.lock,agent.log,capture.partial.cap,stop-reason}
///     $PCAPCTL_HOME/locations/<location>/captures/<name>/instances/<key>/segments/<number>_<start>.cap
///     $PCAPCTL_HOME/orphans/<location>/<name>-<time>[-<key>].cap
///     $PCAPCTL_HOME/claims/{files,storage}/<destination below its root>
public struct StateLayout: Sendable {
    public var environment: PcapCtlEnvironment

    public init(environment: PcapCtlEnvironment) { self.environment = environment }

    public var locationsDirectory: String { "\(environment.home)/locations" }

    public func locationDirectory(_ location: String) -> String { "\(locationsDirectory)/\(location)" }

    public func locationLock(_ location: String) -> String { "\(locationDirectory(location))/.lock" }

    public func capturesDirectory(_ location: String) -> String { "\(locationDirectory(location))/captures" }

    /// One empty file per capture whose agents may still run: the session limit visits these rather than
    /// every stored capture, so `create` costs the same with 10 or 10,000 finished captures in the store.
    public func liveDirectory(_ location: String) -> String { "\(locationDirectory(location))/live" }

    /// Undelivered packets of deleted captures: deleting a capture never deletes its only copy.
    public func orphansDirectory(_ location: String) -> String { "\(environment.home)/orphans/\(location)" }

    /// One file per local destination a stored capture owns, at the destination's path below the captures
    /// root, holding `location/name`: no two captures can ever write, or serve, the same file.
    public var fileClaimsDirectory: String { "\(environment.home)/claims/files" }

    /// The same for blobs, at the blob's path below the storage root.
    public var storageClaimsDirectory: String { "\(environment.home)/claims/storage" }

    public func captureDirectory(_ location: String, _ name: String) -> String { "\(capturesDirectory(location))/\(name)" }

    public func captureFile(_ location: String, _ name: String) -> String { "\(captureDirectory(location, name))/capture.json" }

    public func instanceDirectory(_ location: String, _ name: String, _ key: String) -> String {
        "\(captureDirectory(location, name))/instances/\(key)"
    }
}

/// The files of one instance's agent.
public struct InstancePaths: Sendable {
    public var directory: String

    public init(directory: String) { self.directory = directory }

    public var status: String { "\(directory)/status.json" }
    /// Held (flock) by the agent for its whole life; holds "pid starttime" for signalling.
    public var agentLock: String { "\(directory)/agent.lock" }
    public var agentLog: String { "\(directory)/agent.log" }
    /// The capture file while it grows; copied to its final places when the session ends.
    public var partialCapture: String { "\(directory)/capture.partial.cap" }
    /// Written by stop/delete before they signal the agent, so it records why it stopped.
    public var stopReason: String { "\(directory)/stop-reason" }
    /// A continuous capture's files while they grow, and closed ones until every destination has them.
    public var segments: String { "\(directory)/segments" }
}

/// How a continuous capture names its files: `{number}_{start}.cap` in the state directory, where number
/// is five digits or more (`00001`) and start is when the file began, UTC (`yyyyMMddHHmmss`, dumpcap's
/// form); in each destination the destination's stem goes in front (`x.cap` gives `x_00001_20261201212457.cap`).
public enum SegmentNames {
    public static func stateFileName(number: Int, startSeconds: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits + "_" + Timestamp(seconds: startSeconds, milliseconds: 0).compactStamp + ".cap"
    }

    /// A ring's rotated-out file waiting to be overwritten is `<prefix><number>` in `segments/`: never a
    /// capture file, and removed by whoever finds it after its agent died (`CaptureDelivery.settlePendingSegments`).
    public static let sparePrefix = ".spare-"

    public static func spareFileName(number: Int) -> String { sparePrefix + String(number) }

    /// The number of a state file name, nil for anything else.
    public static func number(of stateFileName: String) -> Int? {
        guard stateFileName.hasSuffix(".cap"), let underscore = stateFileName.firstIndex(of: "_") else { return nil }
        let digits = stateFileName[..<underscore]
        guard digits.count >= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// The single-file name (`stem.cap`) whose ring names its files like `fileName` (`stem_NNNNN_START.cap`),
    /// nil when `fileName` has no ring file's shape.
    public static func ringBase(of fileName: String) -> String? {
        guard fileName.hasSuffix(".cap") else { return nil }
        let parts = fileName.dropLast(4).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count >= 3, number(of: parts.suffix(2).joined(separator: "_") + ".cap") != nil else { return nil }
        return parts.dropLast(2).joined(separator: "_") + ".cap"
    }

    /// The file's path in a destination whose single-file path would be `destination` (ending in `.cap`).
    public static func destination(_ destination: String, stateFileName: String) -> String {
        String(destination.dropLast(4)) + "_" + stateFileName
    }
}

/// Azure's blob layout for a storage account, as a path below the storage root.
public enum StorageLayout {
    public static let defaultContainer = "network-watcher-logs"

    /// `{account}/{container}/subscriptions/{sub}/resourcegroups/{group}/providers/microsoft.compute/virtualmachines/{vm}/{yyyy}/{MM}/{dd}/packetcapture_{HH}_{mm}_{ss}_{fff}.cap`,
    /// segments lower-cased as Azure writes them. Scale set instances go under `virtualmachinescalesets/{name}/virtualmachines/{id}`.
    public static func relativePath(
        account: String, container: String, subscription: String, resourceGroup: String,
        machineSegment: String, created: Timestamp
    ) -> String {
        "\(account)/\(container)/subscriptions/\(subscription.lowercased())/resourcegroups/\(resourceGroup.lowercased())"
            + "/providers/microsoft.compute/\(machineSegment.lowercased())/\(created.datePath)/\(created.blobFileName)"
    }
}
