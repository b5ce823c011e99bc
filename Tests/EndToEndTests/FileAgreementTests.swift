import Foundation
import Testing
import TestSupport

/// What pcapctl reports about a capture agrees with the file it wrote.
@Suite(.enabled(if: isRoot, "capture needs root"))
struct FileAgreementTests {
    /// Loopback shows libpcap every packet twice (out and in) and libpcap keeps one; the counters count it once.
    @Test(arguments: ["lo", "any"])
    func packetsReceivedCountsEachLoopbackPacketOnce(interface: String) throws {
        let pcapctl = Pcapctl(label: "recv")
        let port = UDPTraffic.uniquePort()
        let file = pcapctl.capturesRoot + "/recv.cap"
        let filters = #"[{"protocol":"UDP","localPort":"\#(port)"}]"#
        #expect(try pcapctl.run(["create", "-n", "recv", "--interface", interface, "--file-path", file, "--filters", filters]).exitCode == 0)
        UDPTraffic.send(count: 40, payloadSize: 20, port: port)
        #expect(try pcapctl.run(["stop", "-n", "recv"]).exitCode == 0)
        let status = try #require(try pcapctl.run(["show-status", "-n", "recv"]).json)
        let inFile = try ReadBack.tcpdumpCount(file, "udp")
        #expect(inFile == 40)
        #expect(status["packetsCaptured"] as? Int == inFile)
        #expect(status["packetsReceived"] as? Int == inFile)
    }

    @Test(arguments: ["1", "16", "20"])
    func aCaptureSizeBelowTheMinimumIsRefused(size: String) throws {
        let pcapctl = Pcapctl(label: "tiny")
        let result = try pcapctl.run(["create", "-n", "tiny", "--capture-size", size, "--file-path", pcapctl.capturesRoot + "/tiny.cap"])
        #expect(result.exitCode == 2)
        #expect(result.standardError.hasPrefix("pcapctl: error: --capture-size: Invalid value: '\(size)' is less than 21"), "\(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1)
        #expect(pcapctl.filesWritten().isEmpty)
    }

    /// The smallest accepted size, on the cooked `any` device and on Ethernet: the file's snaplen is the resource's.
    @Test(arguments: ["any", "lo"])
    func theFileKeepsWhatTheResourceSays(interface: String) throws {
        let pcapctl = Pcapctl(label: "snap21")
        let port = UDPTraffic.uniquePort()
        let file = pcapctl.capturesRoot + "/s.cap"
        let created = try pcapctl.run(["create", "-n", "s", "--interface", interface, "--capture-size", "21", "--file-path", file])
        #expect(created.exitCode == 0, "\(created.standardError)")
        #expect(created.json?["bytesToCapturePerPacket"] as? Int == 21)
        UDPTraffic.send(count: 20, payloadSize: 100, port: port)
        #expect(try pcapctl.run(["stop", "-n", "s"]).exitCode == 0)
        let read = try PcapDecoder.read(contentsOf: URL(fileURLWithPath: file))
        #expect(read.header.snaplen == 21)
        #expect(read.records.count >= 20)
        #expect(read.records.allSatisfy { $0.caplen <= 21 && $0.bytes.count == Int($0.caplen) })
        #expect(read.records.contains { $0.caplen == 21 && $0.origLen > 100 })
    }
}
