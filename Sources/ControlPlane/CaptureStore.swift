import Glibc

/// The JSON store of capture resources: one directory per capture, one file per resource, written
/// atomically. Invocations run concurrently: a per-location lock file serialises creates and deletes
/// (so exactly one create wins a name and the session limit holds), while readers need no lock because
/// every file is replaced by rename and every capture directory appears and disappears by rename.
public struct CaptureStore: Sendable {
    public let layout: StateLayout

    public init(environment: PcapCtlEnvironment) {
        self.layout = StateLayout(environment: environment)
    }

    /// Runs `body` holding the location's lock, exclusively (writers) or shared.
    public func withLocationLock<T>(_ location: String, exclusive: Bool, _ body: () throws(PcapCtlError) -> T) throws(PcapCtlError) -> T {
        let lock: FileLock
        do {
            try FileSystem.makeDirectories(layout.capturesDirectory(location))
            lock = try FileLock(path: layout.locationLock(location))
            try lock.lock(exclusive: exclusive)
        } catch {
            throw .failure("cannot lock the store at \(layout.locationDirectory(location)): \(error)")
        }
        defer { lock.unlock() }
        return try body()
    }

    /// Publishes a new capture: its directory is assembled under a hidden name, then renamed into place,
    /// so other invocations see all of it or nothing. Must be called holding the location lock.
    ///
    /// Returns each instance's agent lock, already held: the capture appears with its agents counted as
    /// alive, and `AgentSupervisor.spawn` hands each lock on to its agent.
    public func insert(_ capture: StoredCapture, initialStatus: InstanceStatus) throws(PcapCtlError) -> [FileLock] {
        let location = capture.settings.location
        let name = capture.resource.name
        let final = layout.captureDirectory(location, name)
        if FileSystem.exists(final) {
            throw .failure("PacketCaptureExistingAlready: Existing Packet capture can not be updated. (a capture named '\(name)' exists in location '\(location)')")
        }
        let staging = "\(layout.capturesDirectory(location))/.creating-\(name)-\(getpid())"
        do {
            try FileSystem.removeTree(staging)
            try FileSystem.makeDirectories(staging)
            var locks: [FileLock] = []
            for instance in capture.settings.instances {
                let paths = InstancePaths(directory: "\(staging)/instances/\(instance.key)")
                try FileSystem.makeDirectories(paths.directory)
                try FileSystem.writeAtomically(JSON.encode(initialStatus), to: paths.status)
                let lock = try FileLock(path: paths.agentLock)
                try lock.lock(exclusive: true)
                locks.append(lock)
            }
            try FileSystem.writeAtomically(JSON.encode(capture), to: "\(staging)/capture.json")
            try FileSystem.makeDirectories(layout.liveDirectory(location))
            _ = try FileSystem.open("\(layout.liveDirectory(location))/\(name)", O_WRONLY | O_CREAT | O_NOFOLLOW)
            _ = try retryingOnInterrupt { rename(staging, final) }.get()
            return locks
        } catch {
            try? FileSystem.removeTree(staging)
            throw .failure("cannot write the capture to \(final): \(error)")
        }
    }

    public func load(name: String, location: String) throws(PcapCtlError) -> StoredCapture {
        let path = layout.captureFile(location, name)
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(path) } catch {
            if error.rawValue == ENOENT {
                throw .notFound("ResourceNotFound: packet capture '\(name)' was not found in location '\(location)'")
            }
            throw .failure("cannot read \(path): \(error)")
        }
        let capture = try JSON.decode(StoredCapture.self, from: bytes, path: path)
        guard capture.version <= StoredCapture.currentVersion else {
            throw .failure("\(path) was written by a newer pcapctl (store version \(capture.version)); this one reads version \(StoredCapture.currentVersion)")
        }
        return capture
    }

    /// Locations that hold at least one capture directory.
    public func locations() throws(PcapCtlError) -> [String] {
        do {
            return try FileSystem.listDirectory(layout.locationsDirectory).filter { !$0.hasPrefix(".") }
        } catch {
            throw .failure("cannot read \(layout.locationsDirectory): \(error)")
        }
    }

    /// Names of the captures in a location, in name order (captures being created or deleted are skipped).
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
        _ = unlink("\(layout.liveDirectory(location))/\(name)")
    }

    /// Removes a capture's resource and state. Files already delivered to their final places stay.
    /// Must be called holding the location lock.
    public func remove(name: String, location: String) throws(PcapCtlError) {
        let directory = layout.captureDirectory(location, name)
        let graveyard = "\(layout.capturesDirectory(location))/.deleting-\(name)-\(getpid())"
        do {
            _ = try retryingOnInterrupt { rename(directory, graveyard) }.get()
            forgetLive(name: name, location: location)
            try FileSystem.removeTree(graveyard)
        } catch {
            if error.rawValue == ENOENT {
                throw .notFound("ResourceNotFound: packet capture '\(name)' was not found in location '\(location)'")
            }
            throw .failure("cannot delete \(directory): \(error)")
        }
    }

    public func instancePaths(_ capture: StoredCapture, _ instance: CaptureInstance) -> InstancePaths {
        InstancePaths(directory: layout.instanceDirectory(capture.settings.location, capture.resource.name, instance.key))
    }

    public func readStatus(_ paths: InstancePaths) throws(PcapCtlError) -> InstanceStatus {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(paths.status) } catch {
            if error.rawValue == ENOENT {
                throw .notFound("ResourceNotFound: the packet capture was deleted while this command ran")
            }
            throw .failure("cannot read \(paths.status): \(error)")
        }
        return try JSON.decode(InstanceStatus.self, from: bytes, path: paths.status)
    }

    /// Records an instance's status; `durable: false` for the once-a-second progress of a running capture.
    public func writeStatus(_ status: InstanceStatus, to paths: InstancePaths, durable: Bool = true) throws(PcapCtlError) {
        do { try FileSystem.writeAtomically(JSON.encode(status), to: paths.status, durable: durable) } catch {
            throw .failure("cannot write \(paths.status): \(error)")
        }
    }
}
