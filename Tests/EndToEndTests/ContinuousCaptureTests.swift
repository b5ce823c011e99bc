import Foundation
import Testing
import TestSupport

/// Continuous capture on real traffic between namespaces the tests make: numbered datagrams, so the files
/// a ring keeps can be checked for holding exactly the newest packets, in order, with no gap.
@Suite(.enabled(if: isRoot, "namespaces and capture need root"))
struct ContinuousCaptureTests {
    /// Record size of one test datagram in a capture on the `any` device: pcap record header 16, Linux
    /// cooked header 16, IPv4 20, UDP 8, payload 500.
    static let payloadSize = 500
    static let recordSize = 16 + 16 + 20 + 8 + payloadSize
    static let fileSize = 65536
    /// Whole records in a 64 KiB file.
    static let perFile = (fileSize - 24) / recordSize

    /// Sends datagrams numbered `numbers` from `namespace`, each `seq=NNNNNNNN` padded to the payload size.
    func sendNumbered(from namespace: String, to address: String, port: UInt16, _ numbers: ClosedRange<Int>) throws {
        precondition(numbers.count <= 10_000, "bounded traffic only")
        let script = """
            import socket, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for i in range(\(numbers.lowerBound), \(numbers.upperBound + 1)):
                s.sendto(b"seq=%08d" % i + b"." * \(Self.payloadSize - 12), ("\(address)", \(port)))
                if i % 100 == 0: time.sleep(0.005)
            """
        let result = try runCommand("/usr/bin/env", ["ip", "netns", "exec", namespace, "timeout", "30", "python3", "-c", script])
        guard result.exitCode == 0 else { throw ReadBackError(message: "sending from \(namespace) failed: \(result.standardError)") }
    }

    /// The datagram numbers in a capture file, read with the independent decoder; also its torn tail.
    func numbers(in path: String) throws -> (numbers: [Int], torn: Int) {
        let file = try PcapDecoder.read(contentsOf: URL(fileURLWithPath: path))
        let marker = Array("seq=".utf8)
        let numbers = file.records.compactMap { record -> Int? in
            guard let start = (0...(max(0, record.bytes.count - 12))).first(where: { Array(record.bytes[$0..<min($0 + 4, record.bytes.count)]) == marker }) else { return nil }
            return Int(String(decoding: record.bytes[(start + 4)..<(start + 12)], as: UTF8.self))
        }
        #expect(numbers.count == file.records.count, "every record of \(path) is a test datagram")
        return (numbers, file.tornTailBytes)
    }

    func status(_ pcapctl: Pcapctl, _ name: String) throws -> [String: Any] {
        let result = try pcapctl.run(["show-status", "-n", name])
        return try #require(result.json, "\(result.standardError)")
    }

    func captureFiles(_ status: [String: Any]) -> [[String: Any]] {
        status["captureFiles"] as? [[String: Any]] ?? []
    }

    func counter(_ status: [String: Any], _ key: String) -> Int { (status[key] as? NSNumber)?.intValue ?? -1 }

    func create(_ pcapctl: Pcapctl, _ name: String, vm: String, continuous: String, count: Int, port: UInt16, storage: Bool) throws {
        var arguments = [
            "create", "-n", name, "--vm", vm, "--continuous-capture", continuous, "--local-path", "\(pcapctl.capturesRoot)/\(name).cap",
            "--capture-settings", "{\"fileCount\":\(count),\"fileSizeInBytes\":\(Self.fileSize)}",
            "--filters", "[{\"protocol\":\"UDP\",\"localPort\":\"\(port)\"}]",
        ]
        if storage { arguments += ["--storage-account", "acct1"] }
        let created = try pcapctl.run(arguments)
        try #require(created.exitCode == 0, "\(created.standardError)")
        #expect(created.json?["continuousCapture"] as? Bool == (continuous == "true"))
    }

    /// Files named `{name}_NNNNN_START.cap` below `root`, by number.
    func ringFiles(below root: String, _ name: String) -> [String] {
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return all.filter { FileManager.default.displayName(atPath: $0).hasSuffix(".cap") && $0.contains("_0") && !FileManager.default.displayName(atPath: $0).hasPrefix(".") }
            .map { "\(root)/\($0)" }.sorted { FileManager.default.displayName(atPath: $0) < FileManager.default.displayName(atPath: $1) }
    }

    /// A client and a VM namespace, continuous capture `name` in the VM's, and datagrams 1...sent sent to it;
    /// with `waitForAll`, returns once the capture counts every one. The lab must outlive the test.
    func ring(subnet: Int, _ name: String, continuous: String, count: Int, storage: Bool, sent: Int, waitForAll: Bool = true) throws -> (lab: NetworkLab, pcapctl: Pcapctl) {
        let lab = NetworkLab()
        let (client, vm) = try lab.clientAndVM(subnet: subnet)
        let pcapctl = Pcapctl(label: name)
        let port = UInt16(7360 + subnet)
        try create(pcapctl, name, vm: vm, continuous: continuous, count: count, port: port, storage: storage)
        try sendNumbered(from: client, to: "198.18.\(subnet).2", port: port, 1...sent)
        if waitForAll { #expect(try waitUntil(seconds: 20) { counter(try status(pcapctl, name), "packetsCaptured") == sent }) }
        return (lab, pcapctl)
    }

    @Test func aRingKeepsExactlyTheNewestFilesWithNoGapInBothDestinations() throws {
        let sent = 10 * Self.perFile + 10
        let (lab, pcapctl) = try ring(subnet: 40, "ring", continuous: "true", count: 3, storage: true, sent: sent)
        defer { withExtendedLifetime(lab) {} }

        // While it runs, its closed files can be fetched: the ring keeps fileCount - 1 closed beside the open one.
        let running = try status(pcapctl, "ring")
        #expect(running["packetCaptureStatus"] as? String == "Running")
        let closedWhileRunning = captureFiles(running).compactMap { $0["name"] as? String }
        #expect(closedWhileRunning.count == 2)
        let early = pcapctl.root + "/early/"
        let fetched = try pcapctl.run(["download", "-n", "ring", "--file", early])
        #expect(fetched.exitCode == 0, "\(fetched.standardError)")
        let fetchedNames = try FileManager.default.contentsOfDirectory(atPath: early).sorted()
        #expect(Set(fetchedNames).isSubset(of: Set(closedWhileRunning)) && !fetchedNames.isEmpty)
        for name in fetchedNames { #expect(try numbers(in: early + name).torn == 0) }

        #expect(try pcapctl.run(["stop", "-n", "ring"]).exitCode == 0)
        let final = try status(pcapctl, "ring")
        #expect(final["packetCaptureStatus"] as? String == "Stopped")
        let files = captureFiles(final)
        #expect(files.count == 3)
        let local = ringFiles(below: pcapctl.capturesRoot, "ring")
        let stored = ringFiles(below: pcapctl.storageRoot + "/acct1", "ring")
        #expect(local.count == 3, "\(local)")
        #expect(stored.count == 3, "\(stored)")
        #expect(local.map { FileManager.default.displayName(atPath: $0) } == files.compactMap { $0["name"] as? String })
        var all: [Int] = []
        for (index, (localFile, storedFile)) in zip(local, stored).enumerated() {
            #expect(try Data(contentsOf: URL(fileURLWithPath: localFile)) == Data(contentsOf: URL(fileURLWithPath: storedFile)), "both destinations hold the same bytes")
            let size = ReadBack.fileSize(localFile)
            #expect(size <= Self.fileSize)
            if index < 2 { #expect(size + Self.recordSize > Self.fileSize, "a file is closed only when the next packet would not fit") }
            let read = try numbers(in: localFile)
            #expect(read.torn == 0)
            #expect(files[index]["packets"] as? Int == read.numbers.count)
            #expect(files[index]["localPath"] as? String == localFile && files[index]["storagePath"] as? String == storedFile)
            all += read.numbers
        }
        // The newest packets, in order, with no gap: exactly what was rotated out came before them.
        #expect(all.last == sent)
        #expect(all == Array((all.first ?? 0)...sent))
        let rotatedOut = counter(final, "packetsRotatedOut")
        #expect(rotatedOut == (all.first ?? 0) - 1)
        #expect(rotatedOut + all.count == counter(final, "packetsCaptured"))
        let lastNumber = Int(try #require((files.last?["name"] as? String)?.split(separator: "_")[1]))
        #expect(counter(final, "filesRotatedOut") + 3 == lastNumber)
        #expect(counter(final, "bytesRotatedOut") + local.reduce(0) { $0 + ReadBack.fileSize($1) } == counter(final, "bytesWritten"))

        // One file by name; the whole set into a directory under their own names.
        let one = try #require(files.first?["name"] as? String)
        #expect(try pcapctl.run(["download", "-n", "ring", "--file-name", one, "--file", pcapctl.root + "/one.cap"]).exitCode == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: pcapctl.root + "/one.cap")) == Data(contentsOf: URL(fileURLWithPath: local[0])))
        #expect(try pcapctl.run(["download", "-n", "ring", "--file", pcapctl.root + "/all/"]).exitCode == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: pcapctl.root + "/all").sorted() == files.compactMap { $0["name"] as? String })
        let single = try pcapctl.run(["download", "-n", "ring", "--file", pcapctl.root + "/x.cap"])
        #expect(single.exitCode == 2 && single.standardError.contains("--file: capture 'ring' is continuous"), "\(single.standardError)")
    }

    @Test func aCaptureOfFalseStopsWhenItsFilesAreFull() throws {
        let (lab, pcapctl) = try ring(subnet: 41, "full", continuous: "false", count: 2, storage: false, sent: 5 * Self.perFile, waitForAll: false)
        defer { withExtendedLifetime(lab) {} }
        #expect(try waitUntil(seconds: 20) { try status(pcapctl, "full")["packetCaptureStatus"] as? String == "Stopped" })
        let final = try status(pcapctl, "full")
        #expect(final["stopReason"] as? String == "FileCountExceeded")
        let local = ringFiles(below: pcapctl.capturesRoot, "full")
        #expect(local.count == 2)
        let all = try local.flatMap { try numbers(in: $0).numbers }
        #expect(all == Array(1...(2 * Self.perFile)), "the first packets, every one, and nothing after the files were full")
        #expect(counter(final, "packetsCaptured") == all.count && counter(final, "filesRotatedOut") == 0)
    }

    @Test func aKilledAgentLeavesEveryClosedFileWholeAndItsOpenFileTrimmed() throws {
        // Four files: the fourth begins before any file has rotated out, so it is a new one, not a reused one
        // (aKilledAgentsReusedFileIsCutToItsRecordedLength below).
        let sent = 3 * Self.perFile + 7
        let (lab, pcapctl) = try ring(subnet: 42, "killed", continuous: "true", count: 3, storage: false, sent: sent)
        defer { withExtendedLifetime(lab) {} }
        let pid = try #require(try status(pcapctl, "killed")["agentPid"] as? Int)
        kill(pid_t(pid), SIGKILL)
        #expect(waitUntil(seconds: 10) { pcapctl.agentLockIsFree("killed") })
        // The open file as a kill in the middle of a write leaves it: a record cut short at its end.
        let segments = "\(pcapctl.home)/locations/local/captures/killed/instances/vm/segments"
        let open = try #require(try FileManager.default.contentsOfDirectory(atPath: segments).sorted().last)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(segments)/\(open)"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([1, 0, 0, 0, 2, 0, 0, 0, 100, 0, 0, 0, 100, 0, 0, 0, 9, 9, 9]))
        try handle.close()

        let final = try status(pcapctl, "killed")
        #expect(final["packetCaptureStatus"] as? String == "Error" && final["stopReason"] as? String == "AgentStopped")
        #expect((final["errorMessage"] as? String)?.contains("trimmed a torn last record of 19 bytes") == true, "\(final["errorMessage"] ?? "")")
        let local = ringFiles(below: pcapctl.capturesRoot, "killed")
        #expect(local.count == 3)
        var all: [Int] = []
        for file in local {
            let read = try numbers(in: file)
            #expect(read.torn == 0, "\(file) holds whole records only")
            all += read.numbers
        }
        #expect(all.last == sent && all == Array((all.first ?? 0)...sent))
        #expect(counter(final, "packetsRotatedOut") + all.count == sent)
        #expect(try FileManager.default.contentsOfDirectory(atPath: segments).isEmpty, "everything the agent left was delivered")
    }

    func segmentsDirectory(_ pcapctl: Pcapctl, _ name: String) -> String {
        "\(pcapctl.home)/locations/local/captures/\(name)/instances/vm/segments"
    }

    /// Sends `numbers` and waits until the capture has counted all of them and the delivery thread has
    /// put a rotated-out file aside for reuse (a ring of more files than it keeps always has one then).
    func sendAndSettle(_ lab: NetworkLab, _ pcapctl: Pcapctl, _ name: String, subnet: Int, _ numbers: ClosedRange<Int>) throws -> String? {
        try sendNumbered(from: lab.namespaces[0], to: "198.18.\(subnet).2", port: UInt16(7360 + subnet), numbers)
        #expect(try waitUntil(seconds: 20) { counter(try status(pcapctl, name), "packetsCaptured") == numbers.upperBound })
        var spare: String?
        _ = waitUntil(seconds: 5) {
            spare = (try? FileManager.default.contentsOfDirectory(atPath: segmentsDirectory(pcapctl, name)))?.first { $0.hasPrefix(".spare-") }
            return spare != nil
        }
        return spare.map { "\(segmentsDirectory(pcapctl, name))/\($0)" }
    }

    /// A ring overwrites a file that rotated out instead of deleting it and creating the next: the next
    /// file begins on the waiting spare's inode. A file someone still reads, or has linked elsewhere, is
    /// never overwritten: they keep exactly what it held.
    @Test func aRotatedOutFileIsReusedOnlyWhenItIsTheCapturesAlone() throws {
        let (lab, pcapctl) = try ring(subnet: 43, "reuse", continuous: "true", count: 3, storage: false, sent: 2 * Self.perFile + 5)
        defer { withExtendedLifetime(lab) {} }
        let early = ringFiles(below: pcapctl.capturesRoot, "reuse")
        try #require(early.count == 2)
        let reader = try FileHandle(forReadingFrom: URL(fileURLWithPath: early[0]))
        defer { try? reader.close() }
        let linked = pcapctl.capturesRoot + "/operator-kept.cap"
        try #require(link(early[1], linked) == 0)
        let before = (first: try numbers(in: early[0]).numbers, second: try numbers(in: linked).numbers)
        #expect(before.first == Array(1...Self.perFile) && before.second == Array((Self.perFile + 1)...(2 * Self.perFile)))

        let spare = try #require(try sendAndSettle(lab, pcapctl, "reuse", subnet: 43, (2 * Self.perFile + 6)...(7 * Self.perFile)))
        #expect(!spare.hasSuffix("-1") && !spare.hasSuffix("-2"), "the read and the linked files are not reused: \(spare)")
        let spareInode = try #require(ReadBack.inode(spare))
        // File 7 is full: the next packet begins file 8, on the spare.
        _ = try sendAndSettle(lab, pcapctl, "reuse", subnet: 43, (7 * Self.perFile + 1)...(7 * Self.perFile + 3))
        let open = try #require(try FileManager.default.contentsOfDirectory(atPath: segmentsDirectory(pcapctl, "reuse")).filter { !$0.hasPrefix(".") }.sorted().last)
        #expect(ReadBack.inode("\(segmentsDirectory(pcapctl, "reuse"))/\(open)") == spareInode, "the next file begins on the spare")

        #expect(try pcapctl.run(["stop", "-n", "reuse"]).exitCode == 0)
        var all: [Int] = []
        let kept = captureFiles(try status(pcapctl, "reuse")).compactMap { $0["localPath"] as? String }
        #expect(kept.count == 3)
        for file in kept {
            let read = try numbers(in: file)
            #expect(read.torn == 0)
            all += read.numbers
        }
        #expect(all == Array((5 * Self.perFile + 1)...(7 * Self.perFile + 3)), "only the newest packets, none left from a reused file's past")
        #expect(try numbers(in: "/proc/self/fd/\(reader.fileDescriptor)").numbers == before.first, "the reader's file is as it was")
        #expect(try numbers(in: linked).numbers == before.second, "the operator's link is as it was")
        #expect(try FileManager.default.contentsOfDirectory(atPath: segmentsDirectory(pcapctl, "reuse")).isEmpty, "no spare is left behind")
        #expect(FileManager.default.fileExists(atPath: early[1]), "a file linked elsewhere has changed since delivery, so rotating out leaves it")
    }

    /// The open file of a killed agent that was overwriting a reused file still holds old bytes past its
    /// records: it is cut to the length recorded at the last tick, so none of them is delivered.
    @Test func aKilledAgentsReusedFileIsCutToItsRecordedLength() throws {
        let (lab, pcapctl) = try ring(subnet: 44, "killreuse", continuous: "true", count: 3, storage: false, sent: 5 * Self.perFile)
        defer { withExtendedLifetime(lab) {} }
        let spare = try #require(try sendAndSettle(lab, pcapctl, "killreuse", subnet: 44, (5 * Self.perFile + 1)...(7 * Self.perFile)))
        let spareInode = ReadBack.inode(spare)
        // File 7 is full: the next packet begins file 8, on the spare.
        _ = try sendAndSettle(lab, pcapctl, "killreuse", subnet: 44, (7 * Self.perFile + 1)...(7 * Self.perFile + 9))
        let segments = segmentsDirectory(pcapctl, "killreuse")
        let open = "\(segments)/" + (try #require(try FileManager.default.contentsOfDirectory(atPath: segments).filter { !$0.hasPrefix(".") }.sorted().last))
        #expect(ReadBack.inode(open) == spareInode, "the open file is a reused one")
        // Past the next tick, which records how much of the reused file is valid; old bytes lie beyond.
        var recorded = -1
        #expect(waitUntil(seconds: 5) {
            let read = try? runCommand("/usr/bin/env", ["python3", "-c", "import os,sys; print(os.getxattr(sys.argv[1], 'user.pcapctl.valid-length').decode())", open])
            recorded = Int(read?.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
            return recorded > 24
        })
        #expect(ReadBack.fileSize(open) > recorded, "old bytes lie past the records: \(ReadBack.fileSize(open)) > \(recorded)")
        let pid = try #require(try status(pcapctl, "killreuse")["agentPid"] as? Int)
        kill(pid_t(pid), SIGKILL)
        #expect(waitUntil(seconds: 10) { pcapctl.agentLockIsFree("killreuse") })

        let final = try status(pcapctl, "killreuse")
        #expect(final["stopReason"] as? String == "AgentStopped")
        var all: [Int] = []
        for file in ringFiles(below: pcapctl.capturesRoot, "killreuse") {
            let read = try numbers(in: file)
            #expect(read.torn == 0, "\(file) holds whole records only")
            all += read.numbers
        }
        #expect(all.last == 7 * Self.perFile + 9 && all == Array((all.first ?? 0)...(7 * Self.perFile + 9)))
        #expect(counter(final, "packetsRotatedOut") + all.count == 7 * Self.perFile + 9)
        #expect(try FileManager.default.contentsOfDirectory(atPath: segments).isEmpty, "the spare and the open file are settled")
    }

    @Test func aFileNoDestinationCanTakeStopsTheRingAndEveryFileStaysDownloadable() throws {
        let pcapctl = Pcapctl(label: "ringdest")
        try FileManager.default.createDirectory(atPath: pcapctl.capturesRoot, withIntermediateDirectories: true)
        // Room for one 64 KiB file and not two; a ring with no file count is not measured at create.
        #expect(try runCommand("/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", pcapctl.capturesRoot]).exitCode == 0)
        defer { _ = try? runCommand("/usr/bin/env", ["umount", "-l", pcapctl.capturesRoot]) }
        let port = UDPTraffic.uniquePort()
        let created = try pcapctl.run([
            "create", "-n", "dest", "--interface", "lo", "--continuous-capture", "true", "--local-path", pcapctl.capturesRoot + "/dest.cap",
            "--capture-settings", "{\"fileCount\":0,\"fileSizeInBytes\":\(Self.fileSize)}", "--filters", "[{\"protocol\":\"UDP\",\"localPort\":\"\(port)\"}]",
        ])
        try #require(created.exitCode == 0, "\(created.standardError)")
        UDPTraffic.send(count: 400, payloadSize: Self.payloadSize, port: port)
        #expect(try pcapctl.run(["wait", "-n", "dest", "--timeout", "20"]).exitCode == 0, "a file no destination takes stops the capture")
        let final = try status(pcapctl, "dest")
        #expect(final["packetCaptureStatus"] as? String == "Error")
        #expect(final["packetCaptureError"] as? [String] == ["LocalFileFailed"])
        let files = captureFiles(final)
        #expect(files.first?["localPath"] as? String != nil && files.first?["keptAt"] == nil, "the first file fitted")
        // Each file is in its destination or kept in the state directory, never neither (a small last one may fit).
        #expect(files.allSatisfy { ($0["localPath"] is String) != ($0["keptAt"] is String) }, "\(files)")
        let kept = files.filter { $0["keptAt"] is String }.count
        #expect(kept >= 1)
        let rescued = pcapctl.root + "/rescued/"
        #expect(try pcapctl.run(["download", "-n", "dest", "--file", rescued]).exitCode == 0)
        let counts = try files.compactMap { $0["name"] as? String }.map { try ReadBack.tcpdumpCount(rescued + $0, "udp and dst port \(port)") }
        #expect(counts.reduce(0, +) == counter(final, "packetsCaptured") && counts.allSatisfy { $0 > 0 })
        let deleted = try pcapctl.run(["delete", "-n", "dest"])
        #expect(deleted.exitCode == 0)
        #expect(deleted.standardError.split(separator: "\n").count == kept, "each kept file is moved to orphans/: \(deleted.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: pcapctl.home + "/orphans/local").count == kept)
    }

    /// A ring names its files `r_NNNNN_START.cap` beside its `r.cap`: those names are its alone, whichever
    /// capture comes first; a name that only resembles them is free.
    @Test func aRingsFileNamesAreItsAlone() throws {
        let pcapctl = Pcapctl(label: "ringnames")
        let root = pcapctl.capturesRoot
        func ring(_ name: String, _ localPath: String) throws -> CommandResult {
            try pcapctl.run([
                "create", "-n", name, "--interface", "lo", "--continuous-capture", "true", "--local-path", localPath,
                "--capture-settings", "{\"fileCount\":3,\"fileSizeInBytes\":\(Self.fileSize)}", "-o", "none",
            ])
        }
        func single(_ name: String, _ filePath: String) throws -> CommandResult {
            try pcapctl.run(["create", "-n", name, "--interface", "lo", "--file-path", filePath, "-o", "none"])
        }
        let first = try ring("ring", root + "/r.cap")
        try #require(first.exitCode == 0, "\(first.standardError)")
        let taken = try single("single", root + "/r_00002_20261201120000.cap")
        #expect(taken.exitCode == 2)
        #expect(taken.standardError == "pcapctl: error: --file-path: '\(root)/r_00002_20261201120000.cap' is a file name of the ring of capture 'ring' in location 'local' ('\(root)/r.cap'); choose another path, or delete that capture\n")

        let early = try single("early", root + "/e_00001_20261201120000.cap")
        try #require(early.exitCode == 0, "\(early.standardError)")
        let late = try ring("late", root + "/e.cap")
        #expect(late.exitCode == 2)
        #expect(late.standardError.hasSuffix("the ring of '\(root)/e.cap' would name its files like '\(root)/e_00001_20261201120000.cap', which belongs to capture 'early' in location 'local'; choose another path, or delete that capture\n"), "\(late.standardError)")
        #expect(try pcapctl.run(["show", "-n", "late"]).exitCode != 0, "nothing of the refused create is stored")

        let resembling = try single("notes", root + "/r_notes.cap")
        #expect(resembling.exitCode == 0, "\(resembling.standardError)")
        for name in ["ring", "early", "notes"] { #expect(try pcapctl.run(["delete", "-n", name]).exitCode == 0) }
    }

    @Test func badContinuousRequestsAreRefusedWithAzuresCodes() throws {
        let pcapctl = Pcapctl(label: "ringbad")
        let base = ["create", "-n", "bad", "--continuous-capture", "true"]
        let local = ["--local-path", pcapctl.capturesRoot + "/bad.cap"]
        let cases: [([String], String)] = [
            (base + local + ["--capture-limit", "1000"], "pcapctl: error: --capture-limit: TotalBytesPerSession is not supported in packet capture request.\n"),
            (base + local + ["--time-limit", "60"], "pcapctl: error: --time-limit: TimeLimitInSecond is not supported in packet capture request.\n"),
            (base + ["--file-path", pcapctl.capturesRoot + "/bad.cap"], "pcapctl: error: PacketCaptureIsMissingStorageIdAndLocalPath: --file-path: Command must have either storage id or local path specified.\n"),
            (base + local + ["--capture-settings", "{\"fileCount\":10001}"], "pcapctl: error: --capture-settings: fileCount: Invalid format: '10001' is greater than 10000\n"),
            (base + local + ["--capture-settings", "{\"fileSize\":1}"], "pcapctl: error: --capture-settings: unknown key 'fileSize'; the keys are fileCount, fileSizeInBytes, sessionTimeLimitInSeconds\n"),
            (["create", "-n", "bad", "--continuous-capture", "maybe"] + local, "pcapctl: error: --continuous-capture: unrecognized value 'maybe' from choices '[true, t, yes, y, 1, false, f, no, n, 0]'\n"),
        ]
        for (arguments, line) in cases {
            let result = try pcapctl.run(arguments)
            #expect(result.exitCode == 2 && result.standardError == line, "\(arguments): \(result.standardError)")
        }
        #expect(pcapctl.filesWritten().isEmpty)
        let huge = try pcapctl.run(base + local + ["--capture-settings", "{\"fileCount\":10000,\"fileSizeInBytes\":4294967295}"])
        #expect(huge.exitCode == 2)
        #expect(huge.standardError.hasPrefix("pcapctl: error: --capture-settings: the ring needs 42949672950000 bytes (10000 files of 4294967295 bytes) on the file system of "), "\(huge.standardError)")
        #expect(try pcapctl.run(["show", "-n", "bad"]).exitCode == 3, "nothing was stored")
    }

    @Test func theNetworkWatcherGroupsScenarioRunsWithThePrefixReplaced() throws {
        let lab = NetworkLab()
        let (_, vm) = try lab.clientAndVM(subnet: 43)
        let pcapctl = Pcapctl(label: "nwgroup")
        let script = """
            set -euo pipefail
            nw=NetworkWatcher_westus
            rg=NetworkWatcherRG
            target=/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/vmgroup/providers/Microsoft.Compute/virtualMachines/$VM
            az() { shift 3; "$PCAPCTL" "$@"; }
            az network network-watcher packet-capture create --network-watcher-name $nw -g $rg -n cap2 --target $target --storage-location "{\\"localPath\\":\\"$CAPTURES/x.cap\\"}" --continuous-capture true --capture-settings '{"FileCount":"10"}'
            az network network-watcher packet-capture create --network-watcher-name $nw -g $rg -n cap3 --target $target --storage-location local-path=$CAPTURES/y.cap --continuous-capture false --capture-settings '{file-count:3,file-size-in-bytes:1048576}'
            az network network-watcher packet-capture show --network-watcher-name $nw -g $rg -n cap2
            az network network-watcher packet-capture query-status --network-watcher-name $nw -g $rg --packet-capture-name cap2
            az network network-watcher packet-capture stop --network-watcher-name $nw -g $rg --packet-capture-name cap2
            az network network-watcher packet-capture query-status --network-watcher-name $nw -g $rg --packet-capture-name cap2
            az network network-watcher packet-capture list --network-watcher-name $nw -g $rg
            az network network-watcher packet-capture delete --network-watcher-name $nw -g $rg -n cap2 --yes
            az network network-watcher packet-capture delete --network-watcher-name $nw -g $rg -n cap3 --yes
            az network network-watcher packet-capture list --network-watcher-name $nw -g $rg
            """
        pcapctl.extraEnvironment = ["PCAPCTL": Pcapctl.executable, "CAPTURES": pcapctl.capturesRoot, "VM": vm]
        let result = try runCommand("/bin/bash", ["-c", script], environment: pcapctl.environment)
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        let out = result.standardOutput
        #expect(out.contains("\"continuousCapture\": true") && out.contains("\"continuousCapture\": false"))
        #expect(out.contains("\"fileCount\": 10,") && out.contains("\"fileCount\": 3,") && out.contains("\"fileSizeInBytes\": 1048576"))
        #expect(out.contains("\"localPath\": \"\(pcapctl.capturesRoot)/x.cap\""))
        #expect(out.contains("\"target\": \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/vmgroup/providers/Microsoft.Compute/virtualMachines/\(vm)\""))
        #expect(out.contains("\"id\": \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westus/packetCaptures/cap2\""))
        #expect(out.contains("\"packetCaptureStatus\": \"Running\"") && out.contains("\"packetCaptureStatus\": \"Stopped\""))
        #expect(out.hasSuffix("[]\n"))
        #expect(!FileManager.default.fileExists(atPath: pcapctl.home + "/locations/westus/captures/cap2"))
    }
}
