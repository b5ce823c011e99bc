import CSystemShim
import Glibc
import SystemCalls

/// Writes files beneath a root directory (the captures root, the storage root) so that nothing below the
/// root can redirect them: every directory below the root is opened relative to its parent with
/// O_NOFOLLOW, so a symlink planted anywhere on the way is refused rather than followed, and the check
/// and the use are the same system call (no window for a race).
public enum ConfinedFiles {
    /// Why a confined write failed, for the user and for the stop reason.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var errno: Errno?
        public var description: String { "cannot write '\(path)': \(reason)" }
    }

    /// Delivers the first `length` bytes of `source` (all of it when nil) to `root/relativePath`, mode 0600.
    /// When that is the whole file and both are on one file system it is a hard link (instant, whatever
    /// the size), else a copy. The destination appears whole or not at all (a copy is made in a hidden
    /// temporary, then linked into place), and an existing file is never replaced. `durable` syncs the
    /// directory after the link (and the copy before it); a continuous capture's closed files, whose own
    /// data is not synced either, skip it.
    /// `directories` keeps the destination directory open for the next call (a ring's deliveries).
    public static func copy(
        from source: String, length: Int? = nil, toRoot root: String, relativePath: String, durable: Bool = true,
        directories: OpenDirectories? = nil
    ) throws(Failure) {
        let components = relativePath.split(separator: "/").map(String.init)
        guard let fileName = components.last, !components.contains(".."), !components.contains(".") else {
            throw Failure(path: "\(root)/\(relativePath)", reason: "the path must name a file beneath \(root)")
        }
        let target = "\(root)/\(relativePath)"
        let parents = Array(components.dropLast())
        let directory = if let directories {
            try directories.directory(root: root, components: parents, displayPath: target)
        } else {
            try walk(below: openRoot(root), root: root, components: parents, displayPath: target)
        }
        var sourceInfo = stat()
        let isWholeFile = stat(source, &sourceInfo) == 0 && (length.map { off_t($0) == sourceInfo.st_size } ?? true)
        if isWholeFile {
            // A link is atomic and never replaces a file: no temporary needed. Across file systems, a copy.
            switch SystemCall.perform(.linkat, { linkat(AT_FDCWD, source, directory.rawValue, fileName, 0) }) {
            case .success:
                if durable { try? directory.sync() }
                return
            case .failure(let error) where error.rawValue == EEXIST:
                throw Failure(path: target, reason: "the file already exists", errno: error)
            case .failure:
                break
            }
        }
        let input: OwnedDescriptor
        do { input = try FileSystem.open(source, O_RDONLY) } catch {
            throw Failure(path: source, reason: error.description, errno: error)
        }
        let temporary = ".\(fileName).incoming-\(getpid())"
        let output: OwnedDescriptor
        switch SystemCall.perform(.openat, { openat(directory.rawValue, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }) {
        case .success(let fd): output = OwnedDescriptor(adopting: fd)
        case .failure(let error): throw Failure(path: target, reason: error.description, errno: error)
        }
        do {
            _ = fchmod(output.rawValue, 0o600)
            try input.copy(to: output, upTo: length ?? Int.max)
            if durable { try output.sync() }
            _ = try SystemCall.perform(.linkat) { linkat(directory.rawValue, temporary, directory.rawValue, fileName, 0) }.get()
        } catch {
            _ = unlinkat(directory.rawValue, temporary, 0)
            let reason = error.rawValue == EEXIST ? "the file already exists" : error.description
            throw Failure(path: target, reason: reason, errno: error)
        }
        _ = unlinkat(directory.rawValue, temporary, 0)
        if durable { try? directory.sync() }
    }

    /// Proves that `root/relativePath` could be delivered now, under the rules of `copy`: its directories are
    /// made (refusing symlinks), a probe file is created beside it and removed, and the file must not exist.
    /// Used at create time, so a destination that is read-only, missing or taken refuses the capture before
    /// it starts rather than when it ends.
    public static func probeWritable(root: String, relativePath: String) throws(Failure) {
        let components = relativePath.split(separator: "/").map(String.init)
        let target = "\(root)/\(relativePath)"
        guard let fileName = components.last else { throw Failure(path: target, reason: "no file name") }
        let directory = try walk(below: openRoot(root), root: root, components: Array(components.dropLast()), displayPath: target)
        var info = stat()
        if fstatat(directory.rawValue, fileName, &info, AT_SYMLINK_NOFOLLOW) == 0 {
            throw Failure(path: target, reason: "the file already exists")
        }
        let probe = ".\(fileName).probe-\(getpid())"
        switch SystemCall.perform(.openat, { openat(directory.rawValue, probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }) {
        case .success(let fd):
            _ = Glibc.close(fd)
            _ = unlinkat(directory.rawValue, probe, 0)
        case .failure(let error):
            throw Failure(path: target, reason: error.description, errno: error)
        }
    }

    /// The destinations of a run of deliveries, kept open between them: a ring delivers hundreds of files
    /// into one directory, and walking its path for each (a `mkdir` for every level of the root, an `openat`,
    /// `mkdirat` and `close` for every level below it) was most of the system calls a delivered file cost.
    /// A root is kept while its path still names it (one `stat`), and the levels below it are opened in one
    /// call that refuses any symbolic link or escape, as the walk does; anything else (a level missing or
    /// a link, a root replaced, a kernel before Linux 5.6) is walked again. Not shared between threads.
    public final class OpenDirectories {
        private var roots: [String: (directory: OwnedDescriptor, device: dev_t, inode: ino_t)] = [:]

        public init() {}

        fileprivate func directory(root: String, components: [String], displayPath: String) throws(Failure) -> OwnedDescriptor {
            var info = stat()
            if let kept = roots[root], stat(root, &info) == 0, info.st_dev == kept.device, info.st_ino == kept.inode {
                if components.isEmpty { return kept.directory }
                let below = components.joined(separator: "/")
                if case .success(let fd) = SystemCall.perform(.openat, { pcapctl_open_directory_beneath(kept.directory.rawValue, below) }) {
                    return OwnedDescriptor(adopting: fd)
                }
            }
            let rootDirectory = try openRoot(root)
            roots[root] = fstat(rootDirectory.rawValue, &info) == 0 ? (rootDirectory, info.st_dev, info.st_ino) : nil
            return try walk(below: rootDirectory, root: root, components: components, displayPath: displayPath)
        }
    }

    /// The root, made if missing (it may be reached through symlinks: it is the operator's choice).
    private static func openRoot(_ root: String) throws(Failure) -> OwnedDescriptor {
        do {
            try FileSystem.makeDirectories(root)
            return try FileSystem.open(root, O_RDONLY | O_DIRECTORY)
        } catch {
            throw Failure(path: root, reason: error.description, errno: error)
        }
    }

    /// Opens `components...` below the root level by level, refusing symlinks; missing levels are made with
    /// mode 0700.
    private static func walk(below rootDirectory: OwnedDescriptor, root: String, components: [String], displayPath: String) throws(Failure) -> OwnedDescriptor {
        var current = rootDirectory
        for component in components {
            if mkdirat(current.rawValue, component, 0o700) == 0 {
                if let created = try? openBelow(current, component) { _ = fchmod(created.rawValue, 0o700) }
            } else if errno != EEXIST {
                let error = Errno.current
                throw Failure(path: displayPath, reason: error.description, errno: error)
            }
            do { current = try openBelow(current, component) } catch {
                let reason = error.rawValue == ELOOP || error.rawValue == ENOTDIR
                    ? "'\(component)' is a symbolic link or not a directory; pcapctl does not follow links below \(root)"
                    : error.description
                throw Failure(path: displayPath, reason: reason, errno: error)
            }
        }
        return current
    }

    private static func openBelow(_ parent: OwnedDescriptor, _ name: String) throws(Errno) -> OwnedDescriptor {
        let fd = try SystemCall.perform(.openat) {
            openat(parent.rawValue, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }.get()
        return OwnedDescriptor(adopting: fd)
    }
}
