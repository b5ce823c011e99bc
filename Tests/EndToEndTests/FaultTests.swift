import Foundation
import Testing
import TestSupport

/// What survives which fault (docs/guarantees.md): killed agents, full disks, vanished interfaces,
/// stale pids, libpcap errors, missing privileges.
@Suite(.enabled(if: isRoot, "faults are injected as root"))
struct FaultTests {
    /// Kills the agent of capture `name` and waits until it is gone and its lock free (a dying process
    /// can hold its lock a moment after it left /proc's list of live ones).
    func killAgent(_ pid: Int, of name: String, _ pcapctl: Pcapctl) throws {
        kill(pid_t(pid), SIGKILL)
        try #require(waitUntil(seconds: 10) { processHasEnded(pid) && pcapctl.agentLockIsFree(name) }, "agent \(pid) outlived SIGKILL")
    }


    @Test func aKilledAgentKeepsEveryFlushedPacket() throws {
        let pcapctl = Pcapctl(label: "kill")
        let port = UDPTraffic.uniquePort()
        let file = pcapctl.capturesRoot + "/kill.cap"
        #expect(try pcapctl.run(["create", "-n", "kill", "--interface", "lo", "--file-path", file]).exitCode == 0)
        UDPTraffic.send(count: 100, payloadSize: 50, port: port)
        #expect(waitUntil(seconds: 10) { pcapctl.packetsFlushed("kill", "udp and dst port \(port)") == 100 })
        let pid = try #require(try pcapctl.run(["show-status", "-n", "kill"]).json?["agentPid"] as? Int)
        try killAgent(pid, of: "kill", pcapctl)
        // A write torn by the kill: half a record header at the end of the file.
        let handle = try #require(FileHandle(forWritingAtPath: pcapctl.partialCapture("kill")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]))
        try handle.close()

        let status = try #require(try pcapctl.run(["show-status", "-n", "kill"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Error")
        #expect(status["packetCaptureError"] as? [String] == ["AgentStopped"])
        #expect(status["stopReason"] as? String == "AgentStopped")
        #expect((status["errorMessage"] as? String)?.contains("trimmed a torn last record of 7 bytes") == true)
        #expect(try ReadBack.tcpdumpCount(file, "udp and dst port \(port)") == 100)
        #expect(try runCommand("/usr/bin/env", ["tshark", "-r", file, "-c", "1"]).exitCode == 0)
        #expect(status["bytesWritten"] as? Int == ReadBack.fileSize(file))
        #expect(try pcapctl.run(["download", "-n", "kill", "--file", pcapctl.root + "/dl.cap"]).exitCode == 0)
        // Nothing is left running, and stop and delete still work.
        #expect(try pcapctl.run(["stop", "-n", "kill"]).exitCode == 0)
        #expect(try pcapctl.run(["delete", "-n", "kill"]).exitCode == 0)
    }

    @Test func aFullStateDirectoryEndsTheCaptureWithAValidFile() throws {
        let pcapctl = Pcapctl(label: "fullstate")
        let state = pcapctl.root + "/small-state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        #expect(try runCommand("/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", state]).exitCode == 0)
        defer { _ = try? runCommand("/usr/bin/env", ["umount", "-l", state]) }
        pcapctl.extraEnvironment = ["PCAPCTL_HOME": state]
        let port = UDPTraffic.uniquePort()
        let file = pcapctl.capturesRoot + "/full.cap"
        let created = try pcapctl.run(["create", "-n", "full", "--interface", "lo", "--file-path", file, "--filters", "[]"])
        #expect(created.exitCode == 0, "\(created.standardError)")
        for _ in 0..<10 { UDPTraffic.send(count: 300, payloadSize: 400, port: port, pacingMicroseconds: 20) }
        #expect(try pcapctl.run(["wait", "-n", "full", "--timeout", "20"]).exitCode == 0)
        let status = try #require(try pcapctl.run(["show-status", "-n", "full"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Error")
        #expect(status["packetCaptureError"] as? [String] == ["LocalFileFailed"])
        #expect((status["errorMessage"] as? String)?.contains("No space left on device") == true)
        // Valid up to its last whole record: tcpdump reads all of it without complaint.
        let read = try runCommand("/usr/bin/env", ["tcpdump", "-nn", "-r", file])
        #expect(read.exitCode == 0)
        #expect(!read.standardError.contains("truncated"))
        let captured = try #require(status["packetsCaptured"] as? Int)
        #expect(captured > 0 && read.standardOutput.split(separator: "\n").count == captured)
        // Other captures and the store are unharmed.
        #expect(try pcapctl.run(["list"]).jsonArray?.count == 1)
    }

    @Test func aFullDestinationIsReportedAndThePacketsStayDownloadable() throws {
        let pcapctl = Pcapctl(label: "fulldest")
        try FileManager.default.createDirectory(atPath: pcapctl.capturesRoot, withIntermediateDirectories: true)
        #expect(try runCommand("/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", pcapctl.capturesRoot]).exitCode == 0)
        defer { _ = try? runCommand("/usr/bin/env", ["umount", "-l", pcapctl.capturesRoot]) }
        let port = UDPTraffic.uniquePort()
        #expect(try pcapctl.run(["create", "-n", "dest", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/dest.cap"]).exitCode == 0)
        UDPTraffic.send(count: 200, payloadSize: 300, port: port)
        #expect(try pcapctl.run(["stop", "-n", "dest"]).exitCode == 0)
        let status = try #require(try pcapctl.run(["show-status", "-n", "dest"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Error")
        #expect(status["packetCaptureError"] as? [String] == ["LocalFileFailed"])
        #expect(!FileManager.default.fileExists(atPath: pcapctl.capturesRoot + "/dest.cap"))
        let copy = pcapctl.root + "/rescued.cap"
        #expect(try pcapctl.run(["download", "-n", "dest", "--file", copy]).exitCode == 0)
        #expect(try ReadBack.tcpdumpCount(copy, "udp and dst port \(port)") == 200)
    }

    @Test func aVanishedInterfaceEndsTheCaptureWithPacketsKept() throws {
        let lab = NetworkLab()
        let (client, vm) = try lab.clientAndVM(subnet: 14)
        let interface = try lab.vethName(in: vm)
        let pcapctl = Pcapctl(label: "ifgone")
        let file = pcapctl.capturesRoot + "/ifgone.cap"
        let created = try pcapctl.run(["create", "-n", "ifgone", "--vm", vm, "--interface", interface, "--file-path", file])
        #expect(created.exitCode == 0, "\(created.standardError)")
        try lab.sendUDP(from: client, to: "198.18.14.2", port: 7004, count: 10)
        #expect(waitUntil(seconds: 10) { pcapctl.packetsFlushed("ifgone", "udp and dst port 7004") == 10 })
        #expect(try runCommand("/usr/bin/env", ["ip", "-n", vm, "link", "del", interface]).exitCode == 0)
        #expect(try pcapctl.run(["wait", "-n", "ifgone", "--timeout", "10"]).exitCode == 0)
        let status = try #require(try pcapctl.run(["show-status", "-n", "ifgone"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Error")
        #expect(status["packetCaptureError"] as? [String] == ["CaptureFailed"])
        #expect(try ReadBack.tcpdumpCount(file, "udp and dst port 7004") == 10)
    }

    @Test func aStalePidIsNeverSignalled() throws {
        let pcapctl = Pcapctl(label: "stale")
        #expect(try pcapctl.run(["create", "-n", "stale", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/stale.cap"]).exitCode == 0)
        let instance = "\(pcapctl.home)/locations/local/captures/stale/instances/vm"
        let statusBefore = try Data(contentsOf: URL(fileURLWithPath: instance + "/status.json"))
        let pid = try #require(try pcapctl.run(["show-status", "-n", "stale"]).json?["agentPid"] as? Int)
        try killAgent(pid, of: "stale", pcapctl)
        // As after a reboot: the record still says Running, and the recorded pid now belongs to another process,
        // one that SIGTERM would end (an empty signal mask), so any signal sent to it shows.
        let bystander = try HelperProcess("/bin/sleep", ["30"])
        defer { bystander.kill() }
        try statusBefore.write(to: URL(fileURLWithPath: instance + "/status.json"))
        let ticks = try #require(bystander.startTicks)
        try "\(bystander.pid) \(ticks)\n".write(toFile: instance + "/agent.lock", atomically: false, encoding: .utf8)

        #expect(try pcapctl.run(["stop", "-n", "stale"]).exitCode == 0)
        #expect(try pcapctl.run(["delete", "-n", "stale"]).exitCode == 0)
        #expect(bystander.isRunning, "the bystander was ended by signal \(bystander.terminatingSignal.map(String.init) ?? "none")")
        #expect(try pcapctl.run(["show", "-n", "stale"]).exitCode == 3)
    }

    @Test func aStaleRunningRecordIsReportedAsAgentStopped() throws {
        let pcapctl = Pcapctl(label: "reboot")
        #expect(try pcapctl.run(["create", "-n", "rb", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/rb.cap"]).exitCode == 0)
        let pid = try #require(try pcapctl.run(["show-status", "-n", "rb"]).json?["agentPid"] as? Int)
        try killAgent(pid, of: "rb", pcapctl)
        for verb in [["show-status", "-n", "rb"], ["list"]] {
            _ = try pcapctl.run(verb)
        }
        let status = try #require(try pcapctl.run(["show-status", "-n", "rb"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Error")
        #expect(status["packetCaptureError"] as? [String] == ["AgentStopped"])
        #expect(try pcapctl.run(["wait", "-n", "rb", "--timeout", "2"]).exitCode == 0)
    }

    @Test func libpcapErrorsBecomeCaptureFailedWithItsMessage() throws {
        let pcapctl = Pcapctl(label: "nodev")
        let created = try pcapctl.run(["create", "-n", "nodev", "--interface", "nosuchif0", "--file-path", pcapctl.capturesRoot + "/nodev.cap"])
        #expect(created.exitCode == 1)
        #expect(created.standardError.contains("no interface named 'nosuchif0'"))
        #expect(created.standardError.split(separator: "\n").count == 1)
        let status = try #require(try pcapctl.run(["show-status", "-n", "nodev"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Error")
        #expect(status["packetCaptureError"] as? [String] == ["CaptureFailed"])
        #expect((status["errorMessage"] as? String)?.contains("nosuchif0") == true)
    }

    @Test func withoutCapNetRawTheErrorSaysWhatIsNeeded() throws {
        let pcapctl = Pcapctl(label: "nocap")
        let result = try runCommand(
            "/usr/bin/env", ["setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw", Pcapctl.executable, "create", "-n", "nocap", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/nocap.cap"],
            environment: pcapctl.environment)
        #expect(result.exitCode == 1)
        #expect(result.standardError.contains("CAP_NET_RAW"), "\(result.standardError)")
        let status = try #require(try pcapctl.run(["show-status", "-n", "nocap"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Error")
        #expect(status["packetCaptureError"] as? [String] == ["CaptureFailed"])
    }

    @Test func filesAndDirectoriesArePrivateWhateverTheUmask() throws {
        let pcapctl = Pcapctl(label: "umask")
        let file = pcapctl.capturesRoot + "/deep/er/umask.cap"
        let result = try runCommand("/bin/bash", ["-c", "umask 000; exec \"$0\" \"$@\"", Pcapctl.executable, "create", "-n", "um", "--interface", "lo", "--file-path", file, "--storage-account", "acct1", "--time-limit", "1"], environment: pcapctl.environment)
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(try pcapctl.run(["wait", "-n", "um", "--timeout", "10"]).exitCode == 0)
        #expect(ReadBack.mode(file) & 0o777 == 0o600)
        #expect(ReadBack.mode(pcapctl.capturesRoot + "/deep") & 0o777 == 0o700)
        #expect(ReadBack.mode(pcapctl.capturesRoot + "/deep/er") & 0o777 == 0o700)
        let files = try #require(try pcapctl.run(["show-status", "-n", "um"]).json?["files"] as? [String])
        #expect(files.count == 2)
        for path in files { #expect(ReadBack.mode(path) & 0o777 == 0o600) }
        for entry in pcapctl.filesWritten() {
            let path = pcapctl.root + "/" + entry
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            #expect(ReadBack.mode(path) & 0o077 == 0, "\(entry) is readable by others")
        }
    }

    @Test func symlinksPlantedInDestinationsAreRefused() throws {
        let pcapctl = Pcapctl(label: "symlink")
        let outside = pcapctl.root + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: pcapctl.capturesRoot, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: pcapctl.capturesRoot + "/evil", withDestinationPath: outside)
        let refused = try pcapctl.run(["create", "-n", "sym", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/evil/x.cap"])
        #expect(refused.exitCode == 1)
        #expect(refused.standardError.contains("symbolic link"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        #expect(try pcapctl.run(["list"]).jsonArray?.isEmpty ?? true)

        // Planted while the capture runs, in place of the directory create made and probed: delivery refuses
        // it, the packets stay downloadable.
        #expect(try pcapctl.run(["create", "-n", "late", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/later/x.cap"]).exitCode == 0)
        try FileManager.default.removeItem(atPath: pcapctl.capturesRoot + "/later")
        try FileManager.default.createSymbolicLink(atPath: pcapctl.capturesRoot + "/later", withDestinationPath: outside)
        #expect(try pcapctl.run(["stop", "-n", "late"]).exitCode == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        let status = try #require(try pcapctl.run(["show-status", "-n", "late"]).json)
        #expect(status["packetCaptureError"] as? [String] == ["LocalFileFailed"])
        #expect(try pcapctl.run(["download", "-n", "late", "--file", pcapctl.root + "/late.cap"]).exitCode == 0)
    }
}
