import Glibc

/// An open file descriptor that closes itself. Only the thread that owns it uses it.
public final class OwnedDescriptor {
    public let rawValue: Int32

    public init(adopting rawValue: Int32) { self.rawValue = rawValue }

    deinit { _ = Glibc.close(rawValue) }

    /// Writes all of `bytes`, looping over partial writes.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let written = try SystemCall.perform(.write) {
                Glibc.write(rawValue, bytes.baseAddress! + offset, bytes.count - offset)
            }.get()
            offset += written
        }
    }

    public func writeAll(_ bytes: [UInt8]) throws(Errno) {
        let result: Result<Void, Errno> = bytes.withUnsafeBytes { buffer in
            Result { () throws(Errno) in try writeAll(buffer) }
        }
        try result.get()
    }

    /// Reads up to `count` bytes; an empty result means end of file.
    public func read(upTo count: Int) throws(Errno) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = try buffer.withUnsafeMutableBytes { raw in
            SystemCall.perform(.read) { Glibc.read(rawValue, raw.baseAddress!, count) }
        }.get()
        buffer.removeSubrange(got...)
        return buffer
    }

    public func readToEnd() throws(Errno) -> [UInt8] {
        var all: [UInt8] = []
        while true {
            let chunk = try read(upTo: 1 << 16)
            if chunk.isEmpty { return all }
            all.append(contentsOf: chunk)
        }
    }

    /// Copies from here to `output` until end of file or `count` bytes, a MiB at a time.
    public func copy(to output: OwnedDescriptor, upTo count: Int) throws(Errno) {
        var remaining = count
        while remaining > 0 {
            let chunk = try read(upTo: min(remaining, 1 << 20))
            if chunk.isEmpty { return }
            try output.writeAll(chunk)
            remaining -= chunk.count
        }
    }

    public func sync() throws(Errno) {
        _ = try SystemCall.perform(.fsync) { fsync(rawValue) }.get()
    }

    public func size() throws(Errno) -> Int {
        var info = stat()
        _ = try SystemCall.perform(.fstat) { fstat(rawValue, &info) }.get()
        return Int(info.st_size)
    }
}

/// Thin wrappers over path-based calls, each throwing the errno it failed with.
public enum FileSystem {
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws(Errno) -> OwnedDescriptor {
        let fd = try SystemCall.perform(.open) { Glibc.open(path, flags | O_CLOEXEC, mode) }.get()
        return OwnedDescriptor(adopting: fd)
    }

    public static func rename(_ source: String, _ destination: String) throws(Errno) {
        _ = try SystemCall.perform(.rename) { Glibc.rename(source, destination) }.get()
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    public static func readFile(_ path: String) throws(Errno) -> [UInt8] {
        try open(path, O_RDONLY).readToEnd()
    }

    /// Creates `path` and any missing parents with mode 0700, whatever the umask.
    public static func makeDirectories(_ path: String) throws(Errno) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            switch SystemCall.perform(.mkdir, { mkdir(current, 0o700) }) {
            case .success: _ = chmod(current, 0o700)
            case .failure(let error) where error.rawValue == EEXIST: continue
            case .failure(let error): throw error
            }
        }
    }

    /// Replaces `path` atomically: a temporary sibling is written and renamed over it, so readers see the
    /// old or the new bytes, never a mix. When `durable`, the file and then its directory are synced so the
    /// new bytes survive a power loss too (progress updates that the next second replaces skip that).
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600, durable: Bool = true) throws(Errno) {
        let directory = parentDirectory(of: path)
        let temporary = "\(directory)/.\(baseName(of: path)).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        do {
            let file = try open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: mode)
            _ = fchmod(file.rawValue, mode)
            try file.writeAll(bytes)
            if durable { try file.sync() }
            try Self.rename(temporary, path)
        } catch {
            _ = unlink(temporary)
            throw error
        }
        if durable, let directoryFile = try? open(directory, O_RDONLY | O_DIRECTORY) {
            try? directoryFile.sync()
        }
    }

    public static func removeTree(_ path: String) throws(Errno) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw Errno.current
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for entry in try listDirectory(path) { try removeTree("\(path)/\(entry)") }
            guard rmdir(path) == 0 || errno == ENOENT else { throw Errno.current }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw Errno.current }
        }
    }

    /// Names in a directory, without `.` and `..`, sorted. A missing directory lists as empty.
    public static func listDirectory(_ path: String) throws(Errno) -> [String] {
        guard let directory = opendir(path) else {
            if errno == ENOENT { return [] }
            throw Errno.current
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// An advisory lock on a sidecar file (flock): shared to read, exclusive to write.
///
/// flock locks belong to the open file description, so a lock survives in a spawned child that inherits
/// the descriptor: create hands its agent the lock this way, and the lock then lives exactly as long as the agent.
public final class FileLock {
    public let descriptor: OwnedDescriptor

    public init(path: String) throws(Errno) {
        descriptor = try FileSystem.open(path, O_RDWR | O_CREAT, mode: 0o600)
    }

    /// Takes the lock, waiting for it; false (without blocking) if `blocking` is off and another holds it.
    @discardableResult
    public func lock(exclusive: Bool, blocking: Bool = true) throws(Errno) -> Bool {
        let operation = (exclusive ? LOCK_EX : LOCK_SH) | (blocking ? 0 : LOCK_NB)
        switch SystemCall.perform(.flock, { flock(descriptor.rawValue, operation) }) {
        case .success: return true
        case .failure(let error) where error.rawValue == EWOULDBLOCK: return false
        case .failure(let error): throw error
        }
    }

    public func unlock() {
        _ = flock(descriptor.rawValue, LOCK_UN)
    }

    /// Whether some other open file description holds `path`'s lock right now.
    public static func isHeld(at path: String) -> Bool {
        guard FileSystem.exists(path), let probe = try? FileLock(path: path) else { return false }
        guard let acquired = try? probe.lock(exclusive: false, blocking: false) else { return false }
        if acquired { probe.unlock() }
        return !acquired
    }
}

/// Writing to descriptors this process did not open (stdout, stderr): the whole text with write(2),
/// unbuffered, so nothing is lost if the process exits next and a line is never split between threads.
public enum StandardStream {
    public static let output: Int32 = STDOUT_FILENO
    public static let error: Int32 = STDERR_FILENO

    /// Writes all of `text`; throws the first error (EPIPE for a reader that went away, ENOSPC, EIO, ...).
    public static func write(_ text: String, to descriptor: Int32) throws(Errno) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes.count - offset
            offset += try bytes.withUnsafeMutableBytes { buffer in
                SystemCall.perform(.write) { Glibc.write(descriptor, buffer.baseAddress! + offset, count) }
            }.get()
        }
    }
}
