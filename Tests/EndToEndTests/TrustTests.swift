import Foundation
import Glibc
import Synchronization
import Testing
import TestSupport

/// Starts `pcapctl arguments` in a process group of its own (as a shell starts a foreground job) under
/// strace, which slows each fsync and process spawn by 10 ms so that the windows a ^C could hit are wide
/// enough to hit on purpose; sends the group SIGINT after `delay` microseconds and waits for it.
func interruptedCreate(_ pcapctl: Pcapctl, _ arguments: [String], after delay: UInt32) throws {
    let script = """
        import os, signal, subprocess, sys, time
        # A terminal's job gets ^C's default action, whatever this test runner ignores or blocks.
        stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        reset = lambda: [signal.signal(s, signal.SIG_DFL) for s in stops] and signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)
        child = subprocess.Popen(sys.argv[2:], start_new_session=True, preexec_fn=reset, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(float(sys.argv[1]))
        os.killpg(child.pid, signal.SIGINT)
        child.wait(timeout=60)
        """
    let strace = ["/usr/bin/strace", "-qq", "-I", "1", "-o", "/dev/null", "-e", "trace=fsync,clone,clone3,vfork", "-e", "inject=fsync,clone,clone3,vfork:delay_enter=10000"]
    let result = try runCommand("/usr/bin/env", ["python3", "-c", script, "\(Double(delay) / 1e6)"] + strace + [Pcapctl.executable] + arguments, environment: pcapctl.environment)
    #expect(result.exitCode == 0, "\(result.standardError)")
}

/// The holes a first-time operator found (issue 11): each test reproduced the failure on pcapctl 0.1.
@Suite(.enabled(if: isRoot, "capture needs root"))
struct TrustTests {
    func create(_ pcapctl: Pcapctl, _ name: String, _ extra: [String] = []) throws -> CommandResult {
        try pcapctl.run(["create", "-n", name, "--interface", "lo"] + extra)
    }

    // 1. One file path, two captures.
    @Test func aFilePathOwnedByAnotherCaptureIsRefusedAtCreate() throws {
        let pcapctl = Pcapctl(label: "samepath")
        let file = pcapctl.capturesRoot + "/same.cap"
        #expect(try create(pcapctl, "a", ["--file-path", file]).exitCode == 0)
        let before = Set(pcapctl.filesWritten())
        let second = try create(pcapctl, "b", ["--file-path", file])
        #expect(second.exitCode == 2, "\(second.standardError)")
        #expect(second.standardError == "pcapctl: error: --file-path: '\(file)' belongs to capture 'a' in location 'local'; choose another path, or delete that capture\n")
        #expect(Set(pcapctl.filesWritten()) == before, "nothing written")
        // Still refused once 'a' has finished and its file is delivered.
        #expect(try pcapctl.run(["stop", "-n", "a"]).exitCode == 0)
        #expect(try create(pcapctl, "c", ["--file-path", file]).exitCode == 2)
        #expect(try pcapctl.run(["list"]).jsonArray?.count == 1)
    }

    @Test func parallelCreatesOfOnePathHaveOneWinner() throws {
        let pcapctl = Pcapctl(label: "samepath20")
        let file = pcapctl.capturesRoot + "/race.cap"
        let codes = Mutex<[Int32]>([])
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            let code = (try? pcapctl.run(["create", "-n", "r\(index)", "--interface", "lo", "--file-path", file, "--no-wait"]).exitCode) ?? -1
            codes.withLock { $0.append(code) }
        }
        #expect(codes.withLock { $0.filter { $0 == 0 }.count } == 1)
        #expect(codes.withLock { $0.filter { $0 == 2 }.count } == 19)
        #expect(try pcapctl.run(["list"]).jsonArray?.count == 1)
    }

    @Test func downloadRefusesADeliveredFileThatWasReplaced() throws {
        let pcapctl = Pcapctl(label: "replaced")
        let file = pcapctl.capturesRoot + "/own.cap"
        #expect(try create(pcapctl, "own", ["--file-path", file]).exitCode == 0)
        UDPTraffic.send(count: 5, payloadSize: 20, port: UDPTraffic.uniquePort())
        #expect(try pcapctl.run(["stop", "-n", "own"]).exitCode == 0)
        #expect(try pcapctl.run(["download", "-n", "own", "--file", pcapctl.root + "/first.cap"]).exitCode == 0)
        // Someone replaces the delivered file with other bytes of the same size.
        let size = ReadBack.fileSize(file)
        try FileManager.default.removeItem(atPath: file)
        try Data(repeating: 0, count: size).write(to: URL(fileURLWithPath: file))
        let refused = try pcapctl.run(["download", "-n", "own", "--file", pcapctl.root + "/second.cap"])
        #expect(refused.exitCode == 1)
        #expect(refused.standardError.contains("\(file) was replaced or changed since the capture delivered it"), "\(refused.standardError)")
        #expect(!FileManager.default.fileExists(atPath: pcapctl.root + "/second.cap"))
    }

    // 2. Delete never destroys the only copy.
    @Test func deleteKeepsUndeliveredPackets() throws {
        let pcapctl = Pcapctl(label: "orphan")
        let outside = pcapctl.root + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        #expect(try create(pcapctl, "lost", ["--file-path", pcapctl.capturesRoot + "/gone/x.cap"]).exitCode == 0)
        let port = UDPTraffic.uniquePort()
        UDPTraffic.send(count: 9, payloadSize: 30, port: port)
        // The destination turns into a symlink: delivery refuses it, the packets stay in the state directory.
        try FileManager.default.removeItem(atPath: pcapctl.capturesRoot + "/gone")
        try FileManager.default.createSymbolicLink(atPath: pcapctl.capturesRoot + "/gone", withDestinationPath: outside)
        #expect(try pcapctl.run(["stop", "-n", "lost"]).exitCode == 0)
        let deleted = try pcapctl.run(["delete", "-n", "lost"])
        #expect(deleted.exitCode == 0)
        let lines = deleted.standardError.split(separator: "\n")
        #expect(lines.count == 1)
        let prefix = "pcapctl: kept the undelivered packets of 'lost' at \(pcapctl.home)/orphans/local/lost-"
        #expect(deleted.standardError.hasPrefix(prefix), "\(deleted.standardError)")
        let kept = String(lines.first?.dropFirst("pcapctl: kept the undelivered packets of 'lost' at ".count) ?? "")
        #expect(ReadBack.mode(kept) & 0o777 == 0o600)
        #expect(try ReadBack.tcpdumpCount(kept, "udp and dst port \(port)") == 9)
    }

    // 3. The destination is tried at create.
    @Test func aReadOnlyDestinationIsRefusedBeforeTheCaptureStarts() throws {
        let pcapctl = Pcapctl(label: "readonly")
        let mount = pcapctl.capturesRoot + "/ro"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        #expect(try runCommand("/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mount]).exitCode == 0)
        defer { _ = try? runCommand("/usr/bin/env", ["umount", mount]) }
        let refused = try create(pcapctl, "ro", ["--file-path", mount + "/x.cap"])
        #expect(refused.exitCode == 1)
        #expect(refused.standardError.hasPrefix("pcapctl: error: LocalFileFailed: --file-path: cannot write '\(mount)/x.cap': Read-only file system"), "\(refused.standardError)")
        #expect(try pcapctl.run(["list"]).jsonArray?.isEmpty == true)
    }

    // 4. A capture that failed to start is Failed.
    @Test func aCaptureThatFailedToStartIsProvisioningFailed() throws {
        let pcapctl = Pcapctl(label: "failed")
        let created = try pcapctl.run(["create", "-n", "nodev", "--interface", "nosuchdev0", "--file-path", pcapctl.capturesRoot + "/x.cap"])
        #expect(created.exitCode == 1)
        #expect(try pcapctl.run(["show", "-n", "nodev"]).json?["provisioningState"] as? String == "Failed")
        #expect(try pcapctl.run(["list"]).jsonArray?.first?["provisioningState"] as? String == "Failed")
    }

    // 6. list --status, and a not-found that names where the capture is.
    @Test func listWithStatusShowsLocationAndStatus() throws {
        let pcapctl = Pcapctl(label: "liststatus")
        #expect(try create(pcapctl, "w1", ["-l", "westus", "--file-path", pcapctl.capturesRoot + "/w1.cap", "--time-limit", "1"]).exitCode == 0)
        #expect(try pcapctl.run(["wait", "-n", "w1", "-l", "westus", "--timeout", "10"]).exitCode == 0)
        let table = try pcapctl.run(["list", "--status", "-o", "table"]).standardOutput
        let lines = table.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.first == ["Name", "Location", "PacketCaptureStatus", "StopReason", "TargetType", "ProvisioningState"], "\(table)")
        #expect(lines.last == ["w1", "westus", "Stopped", "TimeExceeded", "AzureVM", "Succeeded"], "\(table)")
        let json = try #require(try pcapctl.run(["list", "--status"]).jsonArray?.first)
        #expect(json["location"] as? String == "westus")
        #expect((json["status"] as? [String: Any])?["packetCaptureStatus"] as? String == "Stopped")
        let missing = try pcapctl.run(["show", "-n", "w1", "-l", "eastus"])
        #expect(missing.exitCode == 3)
        #expect(missing.standardError == "pcapctl: error: ResourceNotFound: packet capture 'w1' was not found in location 'eastus'; a capture of that name exists in location 'westus'\n")
    }

    // 9. Ctrl-C during create leaves a whole capture or nothing.
    @Test func anInterruptedCreateLeavesAWholeCaptureOrNothing() throws {
        let pcapctl = Pcapctl(label: "sigint")
        var outcomes: [String: Int] = [:]
        for attempt in 0..<24 {
            let name = "i\(attempt)"
            let delay = UInt32(attempt) * 5_000
            try interruptedCreate(pcapctl, ["create", "-n", name, "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/\(name).cap", "--time-limit", "60"], after: delay)
            let shown = try pcapctl.run(["show-status", "-n", name])
            if shown.exitCode == 0 {
                let state = shown.json?["packetCaptureStatus"] as? String ?? "?"
                #expect(["NotStarted", "Running"].contains(state), "\(name) after \(delay) µs: \(state)")
                #expect(try pcapctl.run(["stop", "-n", name]).exitCode == 0)
                let stopped = try pcapctl.run(["show-status", "-n", name]).json
                #expect(stopped?["packetCaptureStatus"] as? String == "Stopped", "\(name): \(String(describing: stopped))")
                outcomes["whole", default: 0] += 1
            } else {
                #expect(shown.exitCode == 3, "\(name): \(shown.standardError)")
                outcomes["nothing", default: 0] += 1
            }
        }
        // The next exclusive operation clears whatever a killed create left behind.
        #expect(try create(pcapctl, "after", ["--file-path", pcapctl.capturesRoot + "/after.cap", "--no-wait"]).exitCode == 0)
        let captures = try FileManager.default.contentsOfDirectory(atPath: pcapctl.home + "/locations/local/captures")
        #expect(!captures.contains { $0.hasPrefix(".creating-") }, "\(captures)")
        #expect(outcomes.values.reduce(0, +) == 24)
        #expect(outcomes["whole"] ?? 0 > 0 && outcomes["nothing"] ?? 0 > 0, "the delays span the create: \(outcomes)")
    }

    // 10. A corrupt record hides nothing and can be deleted.
    @Test func aCorruptRecordIsReportedAndDeletable() throws {
        let pcapctl = Pcapctl(label: "corrupt")
        #expect(try create(pcapctl, "good", ["--file-path", pcapctl.capturesRoot + "/good.cap", "--no-wait"]).exitCode == 0)
        #expect(try create(pcapctl, "bad", ["--file-path", pcapctl.capturesRoot + "/bad.cap", "--no-wait"]).exitCode == 0)
        #expect(try pcapctl.run(["stop", "-n", "bad"]).exitCode == 0)
        let record = pcapctl.home + "/locations/local/captures/bad/capture.json"
        try Data("{".utf8).write(to: URL(fileURLWithPath: record))
        try FileManager.default.createDirectory(atPath: pcapctl.home + "/locations/local/captures/.creating-x-99999", withIntermediateDirectories: true)
        let listed = try pcapctl.run(["list"])
        #expect(listed.exitCode == 0)
        #expect(listed.jsonArray?.map { $0["name"] as? String } == ["good"])
        #expect(listed.standardError.hasPrefix("pcapctl: warning: skipped capture 'bad' in location 'local': "), "\(listed.standardError)")
        #expect(listed.standardError.split(separator: "\n").count == 1)
        #expect(try pcapctl.run(["delete", "-n", "bad"]).exitCode == 0)
        #expect(try pcapctl.run(["list"]).standardError.isEmpty)
        let captures = try FileManager.default.contentsOfDirectory(atPath: pcapctl.home + "/locations/local/captures")
        #expect(captures == ["good"], "debris is cleared by the next delete: \(captures)")
    }

    // 11. Format versions are read first.
    @Test func aRecordFromANewerPcapctlIsNamedAsSuch() throws {
        let pcapctl = Pcapctl(label: "newer")
        #expect(try create(pcapctl, "nw", ["--file-path", pcapctl.capturesRoot + "/nw.cap", "--time-limit", "1"]).exitCode == 0)
        #expect(try pcapctl.run(["wait", "-n", "nw", "--timeout", "10"]).exitCode == 0)
        let status = pcapctl.home + "/locations/local/captures/nw/instances/vm/status.json"
        try Data("{\"formatVersion\": 7, \"newShape\": true}".utf8).write(to: URL(fileURLWithPath: status))
        let shown = try pcapctl.run(["show-status", "-n", "nw"])
        #expect(shown.exitCode == 1)
        #expect(shown.standardError.contains("status.json was written by a newer pcapctl (format 7)"), "\(shown.standardError)")
        let record = pcapctl.home + "/locations/local/captures/nw/capture.json"
        try Data("{\"formatVersion\": 3, \"capture\": 1}".utf8).write(to: URL(fileURLWithPath: record))
        #expect(try pcapctl.run(["show", "-n", "nw"]).standardError.contains("capture.json was written by a newer pcapctl (format 3)"))
    }

    // 12. An agent run by hand refuses.
    @Test func anAgentRunByHandDoesNotOverwriteAFinishedCapture() throws {
        let pcapctl = Pcapctl(label: "handagent")
        #expect(try create(pcapctl, "done", ["--file-path", pcapctl.capturesRoot + "/done.cap", "--time-limit", "1"]).exitCode == 0)
        #expect(try pcapctl.run(["wait", "-n", "done", "--timeout", "10"]).exitCode == 0)
        let before = try pcapctl.run(["show-status", "-n", "done"]).standardOutput
        let agent = try pcapctl.run(["__agent", "local", "done", "vm", "0123456789abcdef0123456789abcdef"])
        #expect(agent.exitCode == 2)
        #expect(agent.standardError.contains("refusing to run"), "\(agent.standardError)")
        #expect(try pcapctl.run(["show-status", "-n", "done"]).standardOutput == before)
    }

    // 14. Names are case-insensitive and case-preserving.
    @Test func namesIgnoreCaseAndKeepIt() throws {
        let pcapctl = Pcapctl(label: "case")
        #expect(try create(pcapctl, "Snap64", ["--file-path", pcapctl.capturesRoot + "/s.cap", "--no-wait"]).exitCode == 0)
        #expect(try pcapctl.run(["show", "-n", "SNAP64"]).json?["name"] as? String == "Snap64")
        #expect(try pcapctl.run(["show-status", "-n", "snap64"]).exitCode == 0)
        let twin = try create(pcapctl, "snap64", ["--file-path", pcapctl.capturesRoot + "/t.cap"])
        #expect(twin.exitCode == 1)
        #expect(twin.standardError.contains("PacketCaptureExistingAlready"))
        #expect(try pcapctl.run(["delete", "-n", "sNaP64"]).exitCode == 0)
        #expect(try pcapctl.run(["list"]).jsonArray?.isEmpty == true)
    }
}

/// The same rules where they need namespaces: scale sets.
@Suite(.enabled(if: isRoot, "namespaces need root"))
struct ScaleSetTrustTests {
    // 5. The aggregate of a scale set with one instance failed and others running.
    @Test func aPartlyFailedScaleSetRunsUntilEveryInstanceHasStopped() throws {
        let lab = NetworkLab()
        let set = "agg\(lab.tag)"
        for index in 0..<3 { try lab.addNamespace("\(set)_\(index)") }
        // Only instances 0 and 2 have the interface the capture asks for: instance 1 fails to start.
        for index in [0, 2] {
            let namespace = "\(set)_\(index)"
            #expect(try runCommand("/usr/bin/env", ["ip", "-n", namespace, "link", "add", "cap0", "type", "veth", "peer", "name", "cap1"]).exitCode == 0)
            #expect(try runCommand("/usr/bin/env", ["ip", "-n", namespace, "link", "set", "cap0", "up"]).exitCode == 0)
            #expect(try runCommand("/usr/bin/env", ["ip", "-n", namespace, "link", "set", "cap1", "up"]).exitCode == 0)
        }
        let pcapctl = Pcapctl(label: "aggregate")
        let created = try pcapctl.run(["create", "-n", "agg", "--target-type", "AzureVMSS", "--target", set, "--interface", "cap0", "--file-path", pcapctl.capturesRoot + "/agg.cap"])
        #expect(created.exitCode == 0 || created.exitCode == 1, "\(created.standardError)")
        let status = try #require(try pcapctl.run(["show-status", "-n", "agg"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Running")
        #expect(status["stopReason"] == nil, "no stop reason while instances run (null fields are left out, as az does): \(status)")
        #expect(status["packetCaptureError"] as? [String] == ["CaptureFailed"])
        let instances = try #require(status["instances"] as? [[String: Any]])
        #expect(instances.map { $0["packetCaptureStatus"] as? String } == ["Running", "Error", "Running"])
        #expect(try pcapctl.run(["stop", "-n", "agg"]).exitCode == 0)
        let stopped = try #require(try pcapctl.run(["show-status", "-n", "agg"]).json)
        #expect(stopped["packetCaptureStatus"] as? String == "Error")
        #expect(stopped["stopReason"] as? String == "CaptureFailed")
        #expect(try pcapctl.run(["show", "-n", "agg"]).json?["provisioningState"] as? String == "Succeeded")
    }

    // 9, for a scale set: never half of its instances started.
    @Test func anInterruptedScaleSetCreateStartsAllInstancesOrNone() throws {
        let lab = NetworkLab()
        let set = "int\(lab.tag)"
        for index in 0..<4 { try lab.addNamespace("\(set)_\(index)") }
        let pcapctl = Pcapctl(label: "sigintvmss")
        for attempt in 0..<16 {
            let name = "s\(attempt)"
            try interruptedCreate(pcapctl, ["create", "-n", name, "--target-type", "AzureVMSS", "--target", set, "--file-path", pcapctl.capturesRoot + "/\(name).cap", "--buffer-size", "1048576"], after: UInt32(attempt) * 8_000)
            let shown = try pcapctl.run(["show-status", "-n", name])
            if shown.exitCode == 0 {
                let instances = shown.json?["instances"] as? [[String: Any]] ?? []
                #expect(instances.count == 4)
                let states = instances.map { $0["packetCaptureStatus"] as? String ?? "?" }
                #expect(states.allSatisfy { $0 == "Running" || $0 == "NotStarted" }, "\(name) after \(attempt * 8) ms: \(states)")
                #expect(try pcapctl.run(["delete", "-n", name]).exitCode == 0)
            } else {
                #expect(shown.exitCode == 3, "\(name): \(shown.standardError)")
            }
        }
    }

    // 16. The session limit counts instances.
    @Test func theSessionLimitMessageCountsInstances() throws {
        let lab = NetworkLab()
        let set = "lim\(lab.tag)"
        for index in 0..<3 { try lab.addNamespace("\(set)_\(index)") }
        let pcapctl = Pcapctl(label: "limitvmss")
        pcapctl.extraEnvironment["PCAPCTL_MAX_SESSIONS"] = "2"
        let refused = try pcapctl.run(["create", "-n", "big", "--target-type", "AzureVMSS", "--target", set, "--file-path", pcapctl.capturesRoot + "/big.cap"])
        #expect(refused.exitCode == 1)
        #expect(refused.standardError == "pcapctl: error: PacketCaptureLimitReached: location 'local' already runs 0 capture sessions and this capture needs 3 more (one per scale set instance); the limit is 2\n")
    }
}
