import Foundation
import Testing
import TestSupport

/// The built binary, as an operator runs it: real captures with libpcap on loopback, read back with
/// tcpdump and tshark. Each test has its own state directory and its own UDP port.
@Suite(.enabled(if: isRoot, "capturing needs root (CAP_NET_RAW)"))
struct CaptureLifecycleTests {
    @Test func createCaptureStopDownloadRoundTrip() throws {
        let pcapctl = Pcapctl(label: "roundtrip")
        let port = UDPTraffic.uniquePort()
        let file = pcapctl.capturesRoot + "/roundtrip.cap"
        let created = try pcapctl.run(["create", "-n", "rt", "--interface", "lo", "--file-path", file, "--time-limit", "60"])
        #expect(created.exitCode == 0, "\(created.standardError)")
        #expect(created.json?["name"] as? String == "rt")
        #expect(created.json?["provisioningState"] as? String == "Succeeded")
        #expect(created.json?["timeLimitInSeconds"] as? Int == 60)

        let running = try pcapctl.run(["show-status", "-n", "rt"])
        #expect(running.json?["packetCaptureStatus"] as? String == "Running")

        UDPTraffic.send(count: 200, payloadSize: 100, port: port)
        let stopped = try pcapctl.run(["stop", "-n", "rt"])
        #expect(stopped.exitCode == 0)
        #expect(stopped.standardOutput.isEmpty)

        let status = try #require(try pcapctl.run(["show-status", "-n", "rt"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Stopped")
        #expect(status["stopReason"] as? String == "StopRequested")
        #expect((status["packetCaptureError"] as? [Any])?.isEmpty == true)
        let captured = try #require(status["packetsCaptured"] as? Int)
        #expect(captured >= 200)
        #expect(status["bytesWritten"] as? Int == ReadBack.fileSize(file))

        #expect(try ReadBack.tcpdumpCount(file, "udp and dst port \(port)") == 200)
        #expect(ReadBack.mode(file) & 0o777 == 0o600)

        let downloaded = pcapctl.root + "/downloaded.cap"
        let download = try pcapctl.run(["download", "-n", "rt", "--file", downloaded])
        #expect(download.exitCode == 0, "\(download.standardError)")
        #expect(FileManager.default.contentsEqual(atPath: file, andPath: downloaded))

        // Stop again: still silent success, nothing changes.
        #expect(try pcapctl.run(["stop", "-n", "rt"]).exitCode == 0)
        #expect(try pcapctl.run(["show-status", "-n", "rt"]).json?["stopReason"] as? String == "StopRequested")
    }

    @Test func captureSizeTruncatesEveryPacket() throws {
        let pcapctl = Pcapctl(label: "snaplen")
        let port = UDPTraffic.uniquePort()
        let file = pcapctl.capturesRoot + "/snap.cap"
        #expect(try pcapctl.run(["create", "-n", "snap", "--interface", "lo", "--file-path", file, "--capture-size", "64"]).exitCode == 0)
        UDPTraffic.send(count: 50, payloadSize: 500, port: port)
        #expect(try pcapctl.run(["stop", "-n", "snap"]).exitCode == 0)
        let frames = try ReadBack.frameLengths(file, displayFilter: "udp.dstport == \(port)")
        #expect(frames.count == 50)
        // Ethernet (14) + IPv4 (20) + UDP (8) + 500 bytes of payload on the wire, 64 kept.
        #expect(frames.allSatisfy { $0.captured == 64 && $0.original == 542 })
    }

    @Test func byteLimitIsNeverCrossed() throws {
        let pcapctl = Pcapctl(label: "bytes")
        let port = UDPTraffic.uniquePort()
        let file = pcapctl.capturesRoot + "/bytes.cap"
        let limit = 5000
        #expect(try pcapctl.run(["create", "-n", "bytes", "--interface", "lo", "--file-path", file, "--capture-size", "200", "--capture-limit", "\(limit)"]).exitCode == 0)
        UDPTraffic.send(count: 200, payloadSize: 100, port: port, pacingMicroseconds: 100)
        let stoppedInTime = try pcapctl.run(["wait", "-n", "bytes", "--timeout", "20"])
        #expect(stoppedInTime.exitCode == 0, "\(stoppedInTime.standardError)")
        let status = try #require(try pcapctl.run(["show-status", "-n", "bytes"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Stopped")
        #expect(status["stopReason"] as? String == "TotalBytesExceeded")
        let size = ReadBack.fileSize(file)
        // Never over the limit, and stopped only because the next record (at most 16 + 200 bytes) would cross it.
        #expect(size <= limit)
        #expect(size > limit - 216)
        #expect(status["bytesWritten"] as? Int == size)
        #expect(try ReadBack.tcpdumpCount(file, "") == status["packetsCaptured"] as? Int)
    }

    @Test func timeLimitStopsTheCaptureOnTime() throws {
        let pcapctl = Pcapctl(label: "time")
        let file = pcapctl.capturesRoot + "/time.cap"
        #expect(try pcapctl.run(["create", "-n", "time", "--interface", "lo", "--file-path", file, "--time-limit", "2"]).exitCode == 0)
        let waited = try pcapctl.run(["wait", "-n", "time", "--timeout", "15"])
        #expect(waited.exitCode == 0, "\(waited.standardError)")
        let status = try #require(try pcapctl.run(["show-status", "-n", "time"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Stopped")
        #expect(status["stopReason"] as? String == "TimeExceeded")
        let start = try #require(status["captureStartTime"] as? String)
        let stop = try #require(status["captureStopTime"] as? String)
        let duration = try #require(secondsBetween(start, stop))
        #expect(duration >= 2.0 && duration < 3.0, "ran \(duration) s")
        #expect(FileManager.default.fileExists(atPath: file))
    }

    @Test func storageAccountFollowsAzureBlobLayout() throws {
        let pcapctl = Pcapctl(label: "storage")
        let created = try pcapctl.run(["create", "-n", "blob", "-g", "MyGroup", "--vm", "localhost", "--interface", "lo", "--storage-account", "mystorage", "--time-limit", "1"])
        #expect(created.exitCode == 0, "\(created.standardError)")
        let location = try #require(created.json?["storageLocation"] as? [String: Any])
        #expect(location["storageId"] as? String == "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/MyGroup/providers/Microsoft.Storage/storageAccounts/mystorage")
        let path = try #require(location["storagePath"] as? String)
        let pattern = #"^\#(pcapctl.storageRoot)/mystorage/network-watcher-logs/subscriptions/0{8}-0{4}-0{4}-0{4}-0{12}/resourcegroups/mygroup/providers/microsoft\.compute/virtualmachines/localhost/\d{4}/\d{2}/\d{2}/packetcapture_\d{2}_\d{2}_\d{2}_\d{3}\.cap$"#
        #expect(path.range(of: pattern, options: .regularExpression) != nil, "\(path)")
        #expect(try pcapctl.run(["wait", "-n", "blob", "--timeout", "15"]).exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(ReadBack.mode(path) & 0o777 == 0o600)
        let download = try pcapctl.run(["download", "-n", "blob", "--file", pcapctl.root + "/blob.cap"])
        #expect(download.exitCode == 0, "\(download.standardError)")
    }

    @Test func downloadIsRefusedWhileRunning() throws {
        let pcapctl = Pcapctl(label: "dlrun")
        #expect(try pcapctl.run(["create", "-n", "live", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/live.cap"]).exitCode == 0)
        let download = try pcapctl.run(["download", "-n", "live", "--file", pcapctl.root + "/x.cap"])
        #expect(download.exitCode == 1)
        #expect(download.standardError.contains("still running"))
        #expect(!FileManager.default.fileExists(atPath: pcapctl.root + "/x.cap"))
    }

    @Test func deleteStopsTheCaptureAndKeepsItsFile() throws {
        let pcapctl = Pcapctl(label: "delete")
        let port = UDPTraffic.uniquePort()
        let file = pcapctl.capturesRoot + "/del.cap"
        #expect(try pcapctl.run(["create", "-n", "del", "--interface", "lo", "--file-path", file]).exitCode == 0)
        UDPTraffic.send(count: 20, payloadSize: 10, port: port)
        let deleted = try pcapctl.run(["delete", "-n", "del"])
        #expect(deleted.exitCode == 0 && deleted.standardOutput.isEmpty)
        #expect(try ReadBack.tcpdumpCount(file, "udp and dst port \(port)") == 20)
        #expect(try pcapctl.run(["show", "-n", "del"]).exitCode == 3)
        #expect(try pcapctl.run(["list"]).jsonArray?.count == 0)
        // The name is free again.
        #expect(try pcapctl.run(["create", "-n", "del", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/del2.cap", "--time-limit", "1"]).exitCode == 0)
    }

    @Test func stopRightAfterANoWaitCreateStopsTheCapture() throws {
        let pcapctl = Pcapctl(label: "nowait")
        for index in 0..<5 {
            let created = try pcapctl.run(["create", "-n", "nw\(index)", "--no-wait", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/nw\(index).cap"])
            #expect(created.exitCode == 0)
            #expect(try pcapctl.run(["stop", "-n", "nw\(index)"]).exitCode == 0)
            let status = try pcapctl.run(["show-status", "-n", "nw\(index)"]).json
            #expect(status?["packetCaptureStatus"] as? String == "Stopped", "\(status ?? [:])")
        }
    }

    @Test func aNameIsTakenOncePerLocation() throws {
        let pcapctl = Pcapctl(label: "dup")
        #expect(try pcapctl.run(["create", "-n", "same", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/a.cap", "--time-limit", "1"]).exitCode == 0)
        let again = try pcapctl.run(["create", "-n", "same", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/b.cap"])
        #expect(again.exitCode == 1)
        #expect(again.standardError.contains("PacketCaptureExistingAlready: Existing Packet capture can not be updated."))
        #expect(!FileManager.default.fileExists(atPath: pcapctl.capturesRoot + "/b.cap"))
        // Another location is another namespace.
        #expect(try pcapctl.run(["create", "-n", "same", "-l", "westus", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/c.cap", "--time-limit", "1"]).exitCode == 0)
        #expect(try pcapctl.run(["list"]).jsonArray?.count == 2)
        #expect(try pcapctl.run(["list", "-l", "westus"]).jsonArray?.count == 1)
    }
}
