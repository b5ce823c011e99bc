import Glibc
import SystemCalls

/// The JSON store of capture resources: one directory per capture, one file per resource, written
/// atomically. Invocations run concurrently: a per-location lock file serialises creates and deletes
/// (so exactly one create wins a name and the session limit holds), while readers need no lock because
/// every file is replaced by rename and every capture directory appears and disappears by rename.
///
/// Names are case-insensitive and case-preserving, as Azure's are: a capture's directory is its name
/// lower-cased, and its record keeps the name as created. Every file starts with its format version,
/// read before anything else.
public struct CaptureStore: Sendable {
    public let layout: StateLayout
    /// Where lock waits and reads are reported.
    public let events: any OperationEventSink

    public init(environment: PcapCtlEnvironment, events: any OperationEventSink = DiscardedEvents()) {
        self.layout = StateLayout(environment: environment)
        self.events = events
    }

    /// A stored capture that could not be read, reported beside the ones that could.
    public struct Unreadable: Sendable, Equatable {
        public var name: String
        public var location: String
        public var error: PcapCtlError

        public init(name: String, location: String, error: PcapCtlError) {
            self.name = name
            self.location = location
            self.error = error
        }
    }

    /// Runs `body` holding the location's lock, exclusively (writers) or shared. The exclusive holder first
    /// clears debris that a killed create or delete left (none can be in progress while it holds the lock).
    public func withLocationLock<T>(_ location: String, exclusive: Bool, _ body: () throws(PcapCtlError) -> T) throws(PcapCtlError) -> T {
        let lock: FileLock
        do {
            try FileSystem.makeDirectories(layout.capturesDirectory(location))
            lock = try FileLock(path: layout.locationLock(location))
            if try !lock.lock(exclusive: exclusive, blocking: false) {
                let path = layout.locationLock(location)
                events.record(.lockWaiting(path: path))
                let started = MonotonicClock.seconds()
                _ = try lock.lock(exclusive: exclusive)
                events.record(.lockAcquired(path: path, seconds: MonotonicClock.seconds() - started))
            }
        } catch {
            throw .failure("cannot lock the store at \(layout.locationDirectory(location)): \(error)")
        }
        defer { lock.unlock() }
        if exclusive { clearDebris(location) }
        return try body()
    }

    /// Removes `.creating-*` and `.deleting-*` directories: only a create or delete holding the exclusive
    /// location lock makes them, so any seen while holding it were left by a process that died.
    private func clearDebris(_ location: String) {
        let directory = layout.capturesDirectory(location)
        for entry in (try? FileSystem.listDirectory(directory)) ?? [] where entry.hasPrefix(".creating-") || entry.hasPrefix(".deleting-") {
            if entry.hasPrefix(".creating-"), let owner = try? FileSystem.readFile("\(directory)/\(entry)/capture.json"),
                let capture = try? StoredCaptureFile.decode(owner, path: entry, store: self)
            {
                releaseClaims(of: capture)
            }
            try? FileSystem.removeTree("\(directory)/\(entry)")
        }
    }

    /// Publishes a new capture: its directory is assembled under a hidden name, then renamed into place,
    /// so other invocations see all of it or nothing. Must be called holding the location lock.
    ///
    /// Its destinations are claimed first (see `claimDestinations`), then `check` runs (the destination
    /// probe), so a path owned by another capture is refused as such. Each instance starts NotStarted with
    /// a fresh launch token. Returns each instance's agent lock, already held: the capture appears with its
    /// agents counted as alive, and the launcher hands each lock on to its agent.
    public func insert(_ capture: StoredCapture, before check: () throws(PcapCtlError) -> Void) throws(PcapCtlError) -> [(lock: FileLock, token: String)] {
        let location = capture.location
        let name = capture.name
        if let existing = try? existingDirectory(of: name, in: location) {
            let stored = (try? load(name: existing, location: location))?.name ?? existing
            throw .conflict(code: "PacketCaptureExistingAlready", "Existing Packet capture can not be updated. (a capture named '\(stored)' exists in location '\(location)')")
        }
        let final = layout.captureDirectory(location, name.lowercased())
        // The staging directory comes first: while it exists, this create's claims count as live.
        let staging = "\(layout.capturesDirectory(location))/.creating-\(name.lowercased())-\(getpid())"
        do {
            try FileSystem.removeTree(staging)
            try FileSystem.makeDirectories(staging)
        } catch {
            throw .failure("cannot write the capture to \(final): \(error)")
        }
        do throws(PcapCtlError) {
            try claimDestinations(of: capture)
            do { try check() } catch {
                releaseClaims(of: capture)
                throw error
            }
        } catch {
            try? FileSystem.removeTree(staging)
            throw error
        }
        do {
            var started: [(lock: FileLock, token: String)] = []
            for instance in capture.settings.instances {
                let paths = InstancePaths(directory: "\(staging)/instances/\(instance.key)")
                try FileSystem.makeDirectories(paths.directory)
                var status = InstanceStatus(state: .notStarted)
                let token = Self.randomToken()
                status.launchToken = token
                try FileSystem.writeAtomically(JSON.encode(Self.versioned(status)), to: paths.status)
                let lock = try FileLock(path: paths.agentLock)
                try lock.lock(exclusive: true)
                started.append((lock, token))
            }
            try FileSystem.writeAtomically(StoredCaptureFile.encode(capture), to: "\(staging)/capture.json")
            try FileSystem.makeDirectories(layout.liveDirectory(location))
            _ = try FileSystem.open("\(layout.liveDirectory(location))/\(name.lowercased())", O_WRONLY | O_CREAT | O_NOFOLLOW)
            _ = try SystemCall.perform(.rename) { rename(staging, final) }.get()
            return started
        } catch {
            try? FileSystem.removeTree(staging)
            releaseClaims(of: capture)
            throw .failure("cannot write the capture to \(final): \(error)")
        }
    }

    /// The directory a name is stored under: its lower-cased form, or (for a capture stored by pcapctl 0.1,
    /// which kept names as typed) any directory equal to it but for case.
    public func directoryName(of name: String, in location: String) throws(PcapCtlError) -> String {
        guard let directory = try existingDirectory(of: name, in: location) else {
            throw .notFound("packet capture '\(name)' was not found in location '\(location)'\(otherLocationsHint(name, besides: location))")
        }
        return directory
    }

    /// `directoryName` for callers that only ask whether the capture exists: no message, so no look into
    /// the other locations.
    private func existingDirectory(of name: String, in location: String) throws(PcapCtlError) -> String? {
        let folded = name.lowercased()
        if FileSystem.exists(layout.captureFile(location, folded)) { return folded }
        return try names(in: location).first(where: { $0.lowercased() == folded })
    }

    /// " (it exists in location 'b')" when a capture of that name is stored elsewhere, so a wrong -l is obvious.
    private func otherLocationsHint(_ name: String, besides location: String) -> String {
        let folded = name.lowercased()
        let others = ((try? locations()) ?? []).filter { other in
            other != location && FileSystem.exists(layout.captureFile(other, folded))
        }
        guard !others.isEmpty else { return "" }
        return "; a capture of that name exists in location \(others.map { "'\($0)'" }.joined(separator: ", "))"
    }

    public func load(name: String, location: String) throws(PcapCtlError) -> StoredCapture {
        let directory = try directoryName(of: name, in: location)
        let path = layout.captureFile(location, directory)
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(path) } catch {
            if error.rawValue == ENOENT { throw .notFound("packet capture '\(name)' was not found in location '\(location)'") }
            throw .failure("cannot read \(path): \(error)")
        }
        events.record(.captureLoaded(capture: name, location: location, path: path))
        return try StoredCaptureFile.decode(bytes, path: path, store: self)
    }

    /// Every readable capture in a location, in name order, and those that could not be read (a corrupt or
    /// newer record), so one bad file never hides the others.
    public func loadAll(in location: String) throws(PcapCtlError) -> (captures: [StoredCapture], unreadable: [Unreadable]) {
        var captures: [StoredCapture] = []
        var unreadable: [Unreadable] = []
        for name in try names(in: location) {
            do throws(PcapCtlError) {
                captures.append(try load(name: name, location: location))
            } catch {
                if error.kind == .notFound { continue }  // deleted while we listed
                unreadable.append(Unreadable(name: name, location: location, error: error))
            }
        }
        return (captures, unreadable)
    }

    /// Locations that hold at least one capture directory.
    public func locations() throws(PcapCtlError) -> [String] {
        do {
            return try FileSystem.listDirectory(layout.locationsDirectory).filter { !$0.hasPrefix(".") }
        } catch {
            throw .failure("cannot read \(layout.locationsDirectory): \(error)")
        }
    }

    /// Directory names of the captures in a location, in name order (captures being created or deleted are skipped).
    public func names(in location: String) throws(PcapCtlError) -> [String] {
        do {
            return try FileSystem.listDirectory(layout.capturesDirectory(location)).filter { !$0.hasPrefix(".") }
        } catch {
            throw .failure("cannot read \(layout.capturesDirectory(location)): \(error)")
        }
    }

    /// Captures marked live by `insert` and not yet forgotten: a superset of those with a running agent.
    public func liveNames(in location: String) throws(PcapCtlError) -> [String] {
        do {
            return try FileSystem.listDirectory(layout.liveDirectory(location)).filter { !$0.hasPrefix(".") }
        } catch {
            throw .failure("cannot read \(layout.liveDirectory(location)): \(error)")
        }
    }

    /// Drops a capture's live mark once none of its agents runs (or it is gone). Must be called holding
    /// the location lock, so a create of the same name cannot have just marked it again.
    public func forgetLive(name: String, location: String) {
        _ = unlink("\(layout.liveDirectory(location))/\(name.lowercased())")
    }

    /// Removes a capture's resource and state, found by name even when its record cannot be read. Files
    /// already delivered to their final places stay, and so do undelivered packets: each instance's partial
    /// file still in the state directory is moved to `orphans/<location>/`, and the kept paths are returned.
    /// Must be called holding the location lock.
    public func remove(name: String, location: String) throws(PcapCtlError) -> [String] {
        let directoryName = try self.directoryName(of: name, in: location)
        let directory = layout.captureDirectory(location, directoryName)
        let capture = try? load(name: directoryName, location: location)
        let kept = try keepUndelivered(directory: directory, location: location, name: capture?.name ?? directoryName)
        let graveyard = "\(layout.capturesDirectory(location))/.deleting-\(directoryName)-\(getpid())"
        do {
            _ = try SystemCall.perform(.rename) { rename(directory, graveyard) }.get()
            forgetLive(name: directoryName, location: location)
            if let capture { releaseClaims(of: capture) }
            try FileSystem.removeTree(graveyard)
        } catch {
            if error.rawValue == ENOENT {
                throw .notFound("packet capture '\(name)' was not found in location '\(location)'")
            }
            throw .failure("cannot delete \(directory): \(error)")
        }
        return kept
    }

    /// Moves every instance's partial capture file out of a capture's state before it is removed.
    private func keepUndelivered(directory: String, location: String, name: String) throws(PcapCtlError) -> [String] {
        let instances = (try? FileSystem.listDirectory("\(directory)/instances")) ?? []
        var kept: [String] = []
        let stamp = String(Timestamp.now().iso8601.filter { $0 != "-" && $0 != ":" && $0 != "." })
        for key in instances {
            let paths = InstancePaths(directory: "\(directory)/instances/\(key)")
            let suffix = instances.count > 1 || key != "vm" ? "-\(key)" : ""
            // A continuous capture's undelivered files keep their own names after the capture's.
            let sources = [(paths.partialCapture, ".cap")] + CaptureDelivery.settlePendingSegments(paths).map { ($0, "-" + FileSystem.baseName(of: $0)) }
            for (source, ending) in sources where FileSystem.exists(source) {
                let orphans = layout.orphansDirectory(location)
                let target = "\(orphans)/\(name)-\(stamp)\(suffix)\(ending)"
                do {
                    try FileSystem.makeDirectories(orphans)
                    try FileSystem.rename(source, target)
                    _ = chmod(target, 0o600)
                } catch {
                    throw .failure("cannot keep the undelivered packets of '\(name)' at \(target): \(error); nothing was deleted")
                }
                kept.append(target)
            }
        }
        return kept
    }

    // MARK: Destination claims

    /// Claims every destination file of `capture` for it, so no other capture (in any location) can be
    /// created with the same local path or blob; refused naming the owner. A claim whose owner is gone
    /// (its create was killed) is taken over.
    private func claimDestinations(of capture: StoredCapture) throws(PcapCtlError) {
        var made: [String] = []
        for claim in claims(of: capture) {
            let owner = "\(capture.location)/\(capture.name)"
            do {
                // Written whole beside the claim, then linked into place: a reader never sees it half-written,
                // and link(2) fails if another capture holds the claim.
                let directory = FileSystem.parentDirectory(of: claim.path)
                try FileSystem.makeDirectories(directory)
                let temporary = "\(directory)/.claim-\(getpid())-\(Self.randomToken())"
                try FileSystem.writeAtomically(Array(owner.utf8), to: temporary, durable: false)
                defer { _ = unlink(temporary) }
                _ = try SystemCall.perform(.link) { link(temporary, claim.path) }.get()
                made.append(claim.path)
            } catch {
                if error.rawValue == EEXIST, let holder = claimHolder(claim.path) {
                    made.forEach { _ = unlink($0) }
                    throw PcapCtlError(.usage, code: "PacketCaptureFileInUse", parameter: claim.parameter,
                        "'\(claim.displayPath)' belongs to capture '\(holder.name)' in location '\(holder.location)'; choose another path, or delete that capture")
                }
                if error.rawValue == EEXIST {
                    // Stale: its owner no longer exists. Take it over.
                    try? FileSystem.writeAtomically(Array(owner.utf8), to: claim.path)
                    made.append(claim.path)
                    continue
                }
                made.forEach { _ = unlink($0) }
                throw .failure("cannot record the claim on '\(claim.displayPath)' at \(claim.path): \(error)")
            }
        }
        if let overlap = ringOverlap(of: capture) {
            made.forEach { _ = unlink($0) }
            throw overlap
        }
    }

    /// A ring claims `stem.cap` and names its files `stem_NNNNN_START.cap` beside it (`SegmentNames`), names
    /// no claim holds: so no capture may take a file name of another's ring, nor start a ring whose files
    /// would be named like another capture's file. Checked once this capture's own claims are made, so of
    /// two creates racing for the same names at least one sees the other.
    private func ringOverlap(of capture: StoredCapture) -> PcapCtlError? {
        let owner = (location: capture.location, name: capture.name)
        let isRing = capture.record.captureSettings != nil
        for claim in claims(of: capture) {
            let directory = FileSystem.parentDirectory(of: claim.path)
            let fileName = FileSystem.baseName(of: claim.path)
            let shownDirectory = FileSystem.parentDirectory(of: claim.displayPath)
            if let base = SegmentNames.ringBase(of: fileName), let holder = claimHolder("\(directory)/\(base)"), holder != owner,
                (try? load(name: holder.name, location: holder.location))?.record.captureSettings != nil
            {
                return PcapCtlError(.usage, code: "PacketCaptureFileInUse", parameter: claim.parameter,
                    "'\(claim.displayPath)' is a file name of the ring of capture '\(holder.name)' in location '\(holder.location)' ('\(shownDirectory)/\(base)'); choose another path, or delete that capture")
            }
            guard isRing else { continue }
            let prefix = String(fileName.dropLast(4)) + "_"
            for other in (try? FileSystem.listDirectory(directory)) ?? [] where other.hasPrefix(prefix) && SegmentNames.ringBase(of: other) == fileName {
                if let holder = claimHolder("\(directory)/\(other)"), holder != owner {
                    return PcapCtlError(.usage, code: "PacketCaptureFileInUse", parameter: claim.parameter,
                        "the ring of '\(claim.displayPath)' would name its files like '\(shownDirectory)/\(other)', which belongs to capture '\(holder.name)' in location '\(holder.location)'; choose another path, or delete that capture")
                }
            }
        }
        return nil
    }

    /// The live capture (stored, or being created) holding a claim; nil if the claim is stale.
    private func claimHolder(_ path: String) -> (location: String, name: String)? {
        guard let bytes = try? FileSystem.readFile(path) else { return nil }
        let owner = String(decoding: bytes, as: UTF8.self)
        guard let slash = owner.firstIndex(of: "/") else { return nil }
        let location = String(owner[..<slash]), name = String(owner[owner.index(after: slash)...])
        if (try? existingDirectory(of: name, in: location)) != nil { return (location, name) }
        let creating = ".creating-\(name.lowercased())-"
        let staged = ((try? FileSystem.listDirectory(layout.capturesDirectory(location))) ?? []).contains { $0.hasPrefix(creating) }
        return staged ? (location, name) : nil
    }

    private func releaseClaims(of capture: StoredCapture) {
        for claim in claims(of: capture) {
            guard let bytes = try? FileSystem.readFile(claim.path),
                String(decoding: bytes, as: UTF8.self) == "\(capture.location)/\(capture.name)"
            else { continue }
            _ = unlink(claim.path)
        }
    }

    private func claims(of capture: StoredCapture) -> [(path: String, displayPath: String, parameter: String)] {
        let environment = layout.environment
        return capture.settings.instances.flatMap { instance in
            [
                instance.localFile.map { ("\(layout.fileClaimsDirectory)/\($0)", "\(environment.capturesRoot)/\($0)", "storageLocation.filePath") },
                instance.storageFile.map { ("\(layout.storageClaimsDirectory)/\($0)", "\(environment.storageRoot)/\($0)", "storageLocation.storageId") },
            ].compactMap { $0 }
        }
    }

    // MARK: Instances

    public func instancePaths(_ capture: StoredCapture, _ instance: CaptureInstance) -> InstancePaths {
        let directory = (try? existingDirectory(of: capture.name, in: capture.location)) ?? capture.name.lowercased()
        return InstancePaths(directory: layout.instanceDirectory(capture.location, directory, instance.key))
    }

    public func readStatus(_ paths: InstancePaths) throws(PcapCtlError) -> InstanceStatus {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(paths.status) } catch {
            if error.rawValue == ENOENT {
                throw .notFound("the packet capture was deleted while this command ran")
            }
            throw .failure("cannot read \(paths.status): \(error)")
        }
        let version = try JSON.decode(FormatProbe.self, from: bytes, path: paths.status).formatVersion ?? 1
        guard version <= InstanceStatus.currentFormatVersion else {
            throw .failure("\(paths.status) was written by a newer pcapctl (format \(version)); this one reads formats 1 to \(InstanceStatus.currentFormatVersion)")
        }
        return try JSON.decode(InstanceStatus.self, from: bytes, path: paths.status)
    }

    /// Records an instance's status; `durable: false` for the once-a-second progress of a running capture.
    public func writeStatus(_ status: InstanceStatus, to paths: InstancePaths, durable: Bool = true) throws(PcapCtlError) {
        do { try FileSystem.writeAtomically(JSON.encode(Self.versioned(status)), to: paths.status, durable: durable) } catch {
            throw .failure("cannot write \(paths.status): \(error)")
        }
    }

    private static func versioned(_ status: InstanceStatus) -> InstanceStatus {
        var stamped = status
        stamped.formatVersion = InstanceStatus.currentFormatVersion
        return stamped
    }

    /// 16 random bytes as 32 lower-case hexadecimal digits.
    static func randomToken() -> String {
        (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    }
}

/// The first thing read from every stored file: its format version (`formatVersion`; pcapctl 0.1 wrote
/// `version` in capture.json and nothing in status.json).
struct FormatProbe: Decodable {
    var formatVersion: Int?
    var version: Int?
}

/// capture.json, by format: 2 stores pcapctl's own record; 1 (pcapctl 0.1) stored the printed resource,
/// and is upgraded in place the first time it is read.
enum StoredCaptureFile {
    private struct Version2: Codable {
        var formatVersion: Int
        var capture: CaptureRecord
        var settings: CaptureSettings
    }

    private struct Version1: Decodable {
        var version: Int
        var resource: PacketCaptureResource
        var settings: CaptureSettings
    }

    static func encode(_ capture: StoredCapture) -> [UInt8] {
        JSON.encode(Version2(formatVersion: StoredCapture.formatVersion, capture: capture.record, settings: capture.settings))
    }

    static func decode(_ bytes: [UInt8], path: String, store: CaptureStore) throws(PcapCtlError) -> StoredCapture {
        let probe = try JSON.decode(FormatProbe.self, from: bytes, path: path)
        switch probe.formatVersion ?? probe.version {
        case StoredCapture.formatVersion?:
            let file = try JSON.decode(Version2.self, from: bytes, path: path)
            return StoredCapture(record: file.capture, settings: file.settings)
        case 1?:
            let file = try JSON.decode(Version1.self, from: bytes, path: path)
            let old = file.resource
            let capture = StoredCapture(
                record: CaptureRecord(
                    name: old.name, id: old.id, etag: old.etag, target: old.target, targetType: old.targetType,
                    scope: old.scope, bytesToCapturePerPacket: old.bytesToCapturePerPacket,
                    totalBytesPerSession: old.totalBytesPerSession, timeLimitInSeconds: old.timeLimitInSeconds,
                    storageLocation: old.storageLocation, filters: old.filters, instances: old.instances),
                settings: file.settings)
            // Upgrade in place; a reader that cannot write (a read-only state) still gets the capture.
            try? FileSystem.writeAtomically(encode(capture), to: path)
            return capture
        case let version?:
            if version > StoredCapture.formatVersion {
                throw .failure("\(path) was written by a newer pcapctl (format \(version)); this one reads formats 1 to \(StoredCapture.formatVersion)")
            }
            throw .failure("\(path) is not a valid pcapctl file: unknown format \(version)")
        case nil:
            throw .failure("\(path) is not a valid pcapctl file: it has no format version")
        }
    }
}
