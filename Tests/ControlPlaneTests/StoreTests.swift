import ControlPlane
import Foundation
import PcapFormat
import SystemCalls
import Testing

struct StoreTests {
    func temporaryEnvironment() -> PcapCtlEnvironment {
        let root = NSTemporaryDirectory() + "pcapctl-store-\(UUID().uuidString)"
        return PcapCtlEnvironment(home: root + "/state", capturesRoot: root + "/captures", subscription: "s")
    }

    func sampleCapture(_ environment: PcapCtlEnvironment, name: String = "c1") throws -> StoredCapture {
        let planner = CreatePlanner(environment: environment, machines: MachineResolver(namespaceDirectory: "/nonexistent", hostName: "h"))
        return try planner.plan(CreateRequest(name: name, location: "local", resourceGroup: "rg", filePath: environment.capturesRoot + "/\(name).cap", bufferSize: 1 << 20))
    }

    @Test func insertLoadListRemove() throws {
        let environment = temporaryEnvironment()
        let store = CaptureStore(environment: environment)
        let capture = try sampleCapture(environment)
        _ = try store.withLocationLock("local", exclusive: true) { () throws(PcapCtlError) in
            try store.insert(capture, before: {})
        }
        #expect(try store.load(name: "c1", location: "local") == capture)
        #expect(try store.names(in: "local") == ["c1"])
        #expect(try store.locations() == ["local"])
        let status = try store.readStatus(store.instancePaths(capture, capture.settings.instances[0]))
        #expect(status.state == .notStarted)
        // A second insert of the same name is refused and leaves the first intact.
        let duplicate = try sampleCapture(environment)
        #expect(throws: PcapCtlError.self) {
            _ = try store.withLocationLock("local", exclusive: true) { () throws(PcapCtlError) in
                try store.insert(duplicate, before: {})
            }
        }
        #expect(try store.load(name: "c1", location: "local") == capture)
        #expect(try store.remove(name: "c1", location: "local") == [])
        #expect(try store.names(in: "local").isEmpty)
        #expect(throws: PcapCtlError.notFound("packet capture 'c1' was not found in location 'local'")) {
            try store.load(name: "c1", location: "local")
        }
    }

    @Test func storeFilesArePrivate() throws {
        let environment = temporaryEnvironment()
        let store = CaptureStore(environment: environment)
        let old = umask(0)
        defer { umask(old) }
        let capture = try sampleCapture(environment)
        _ = try store.withLocationLock("local", exclusive: true) { () throws(PcapCtlError) in
            try store.insert(capture, before: {})
        }
        let file = store.layout.captureFile("local", "c1")
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect((try FileManager.default.attributesOfItem(atPath: store.layout.captureDirectory("local", "c1"))[.posixPermissions] as? NSNumber)?.intValue == 0o700)
    }

    @Test func corruptFilesAreReportedWithTheirPath() throws {
        let environment = temporaryEnvironment()
        let store = CaptureStore(environment: environment)
        try FileManager.default.createDirectory(atPath: store.layout.captureDirectory("local", "bad"), withIntermediateDirectories: true)
        try Data("{\"version\": 1}".utf8).write(to: URL(fileURLWithPath: store.layout.captureFile("local", "bad")))
        do throws(PcapCtlError) {
            _ = try store.load(name: "bad", location: "local")
            Issue.record("loaded a corrupt file")
        } catch {
            #expect(error.message.contains("capture.json is not a valid pcapctl file: missing key 'resource'"), "\(error.message)")
        }
    }

    @Test func concurrentInsertsOfOneNameHaveExactlyOneWinner() async throws {
        let environment = temporaryEnvironment()
        let store = CaptureStore(environment: environment)
        let capture = try sampleCapture(environment)
        let wins = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    (try? store.withLocationLock("local", exclusive: true) { () throws(PcapCtlError) in
                        try store.insert(capture, before: {})
                    }) != nil
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
    }

    @Test func atomicWritesReplaceWholeFiles() throws {
        let environment = temporaryEnvironment()
        try FileSystem.makeDirectories(environment.home)
        let path = environment.home + "/file.json"
        try FileSystem.writeAtomically(Array("first".utf8), to: path)
        try FileSystem.writeAtomically(Array("second".utf8), to: path)
        #expect(try FileSystem.readFile(path) == Array("second".utf8))
        #expect(try FileSystem.listDirectory(environment.home) == ["file.json"])
    }

    @Test func confinedCopiesRefuseSymlinksBelowTheRoot() throws {
        let environment = temporaryEnvironment()
        let root = environment.capturesRoot
        try FileSystem.makeDirectories(root)
        let outside = environment.home + "/outside"
        try FileSystem.makeDirectories(outside)
        try FileManager.default.createSymbolicLink(atPath: root + "/evil", withDestinationPath: outside)
        let source = environment.home + "/src.cap"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: source))
        #expect(throws: ConfinedFiles.Failure.self) { try ConfinedFiles.copy(from: source, toRoot: root, relativePath: "evil/x.cap") }
        #expect(throws: ConfinedFiles.Failure.self) { try ConfinedFiles.probeWritable(root: root, relativePath: "evil/x.cap") }
        #expect(try FileSystem.listDirectory(outside).isEmpty)
        // A symlink as the file itself is refused too, and never followed.
        try FileManager.default.createSymbolicLink(atPath: root + "/link.cap", withDestinationPath: outside + "/target.cap")
        #expect(throws: ConfinedFiles.Failure.self) { try ConfinedFiles.copy(from: source, toRoot: root, relativePath: "link.cap") }
        #expect(!FileManager.default.fileExists(atPath: outside + "/target.cap"))
        try ConfinedFiles.copy(from: source, length: 2, toRoot: root, relativePath: "a/b/ok.cap")
        #expect(try FileSystem.readFile(root + "/a/b/ok.cap") == [1, 2])
        // The whole file on the same file system is delivered as a hard link: no copy, whatever its size.
        try ConfinedFiles.copy(from: source, toRoot: root, relativePath: "a/whole.cap")
        let inode = { (path: String) in (try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.intValue }
        #expect(try inode(root + "/a/whole.cap") == inode(source))
        #expect(throws: ConfinedFiles.Failure.self) { try ConfinedFiles.copy(from: source, toRoot: root, relativePath: "a/whole.cap") }
        #expect((try FileManager.default.attributesOfItem(atPath: root + "/a")[.posixPermissions] as? NSNumber)?.intValue == 0o700)
    }
    /// A ring keeps its destination directory open; a directory moved away, or replaced by a symlink, while
    /// it is open must not take the next file (the path is walked again, by the same rules).
    @Test func keptDirectoriesFollowTheirPathNotTheirDescriptor() throws {
        let environment = temporaryEnvironment()
        let root = environment.capturesRoot
        try FileSystem.makeDirectories(root)
        try FileSystem.makeDirectories(environment.home)
        let source = environment.home + "/src.cap"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: source))
        let directories = ConfinedFiles.OpenDirectories()
        try ConfinedFiles.copy(from: source, toRoot: root, relativePath: "a/b/1.cap", directories: directories)
        try ConfinedFiles.copy(from: source, toRoot: root, relativePath: "a/b/2.cap", directories: directories)
        #expect(try FileSystem.listDirectory(root + "/a/b").sorted() == ["1.cap", "2.cap"])
        try FileSystem.rename(root + "/a/b", root + "/a/moved")
        try ConfinedFiles.copy(from: source, toRoot: root, relativePath: "a/b/3.cap", directories: directories)
        #expect(try FileSystem.listDirectory(root + "/a/b") == ["3.cap"])
        #expect(try FileSystem.listDirectory(root + "/a/moved").sorted() == ["1.cap", "2.cap"])
        // The directory in use, moved out of the root and linked back in its place, is refused as a link.
        let outside = environment.home + "/outside"
        try FileSystem.makeDirectories(outside)
        try FileSystem.rename(root + "/a/b", outside + "/b")
        try FileManager.default.createSymbolicLink(atPath: root + "/a/b", withDestinationPath: outside + "/b")
        #expect(throws: ConfinedFiles.Failure.self) {
            try ConfinedFiles.copy(from: source, toRoot: root, relativePath: "a/b/4.cap", directories: directories)
        }
        #expect(try FileSystem.listDirectory(outside + "/b") == ["3.cap"])
        // So is a level above it.
        try FileSystem.rename(root + "/a", outside + "/a")
        try FileManager.default.createSymbolicLink(atPath: root + "/a", withDestinationPath: outside + "/a")
        #expect(throws: ConfinedFiles.Failure.self) {
            try ConfinedFiles.copy(from: source, toRoot: root, relativePath: "a/moved/5.cap", directories: directories)
        }
        #expect(try FileSystem.listDirectory(outside + "/a/moved").sorted() == ["1.cap", "2.cap"])
    }
}

struct PcapFormatTests {
    func file(records: [[UInt8]], snaplen: UInt32 = 65535) -> [UInt8] {
        var bytes = PcapFileFormat.fileHeader(linkType: 1, snapshotLength: snaplen)
        for payload in records {
            for value in [UInt32(1), 2, UInt32(payload.count), UInt32(payload.count)] {
                withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
            }
            bytes += payload
        }
        return bytes
    }

    @Test func scansWholeRecords() throws {
        let bytes = file(records: [[1, 2, 3], [4, 5]])
        let summary = try bytes.withUnsafeBytes { try PcapFileSummary(scanning: $0) }
        #expect(summary == PcapFileSummary(packetCount: 2, validLength: bytes.count, tornBytes: 0, snapshotLength: 65535, linkType: 1,
            firstPacketTime: PacketTime(seconds: 1, microseconds: 2), lastPacketTime: PacketTime(seconds: 1, microseconds: 2)))
    }

    @Test(arguments: [1, 5, 15, 16, 18])
    func trimsATornLastRecord(cut: Int) throws {
        let whole = file(records: [[1, 2, 3], [4, 5, 6]])
        let torn = Array(whole.dropLast(cut))
        let summary = try torn.withUnsafeBytes { try PcapFileSummary(scanning: $0) }
        #expect(summary.packetCount == 1)
        #expect(summary.validLength == 24 + 16 + 3)
        #expect(summary.tornBytes == torn.count - summary.validLength)
    }

    @Test func refusesNonPcap() {
        #expect(throws: PcapFileError.tooShort) { try [UInt8](repeating: 0, count: 10).withUnsafeBytes { try PcapFileSummary(scanning: $0) } }
        #expect(throws: PcapFileError.badMagic(0)) { try [UInt8](repeating: 0, count: 30).withUnsafeBytes { try PcapFileSummary(scanning: $0) } }
    }

    @Test func timestampsFormatAsAzureDoes() {
        let time = Timestamp(seconds: 1_764_000_000, milliseconds: 42)
        #expect(time.iso8601 == "2025-11-24T16:00:00.042Z")
        #expect(time.datePath == "2025/11/24")
        #expect(time.blobFileName == "packetcapture_16_00_00_042.cap")
    }
}
