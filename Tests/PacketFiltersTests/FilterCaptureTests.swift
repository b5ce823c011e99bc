import Foundation
import PacketFilters
import Testing
import TestSupport

/// Filters on real traffic: in namespaces the test makes, TCP and UDP flows run both ways between
/// several addresses and ports (the same port numbers on both sides, and over the VM's loopback) while
/// pcapctl captures everything and, at the same time, with each filter set. The expected packets are
/// computed from the capture of everything by the reference matcher, which evaluates the filter
/// semantics directly, with each packet's direction read from the file's cooked header, and shares no
/// code with the BPF builder.
@Suite(.enabled(if: isRoot, "namespaces and capture need root"))
struct FilterCaptureTests {
    static let filterSets: [String] = [
        #"[{"protocol":"UDP","localIPAddress":"198.18.20.2","remotePort":"5000-5001"}]"#,
        #"[{"protocol":"TCP","localPort":"80;8080"},{"protocol":"UDP","remoteIPAddress":"198.18.20.11","localPort":"5002"}]"#,
        #"[{"localIPAddress":"198.18.20.1-198.18.20.2","remoteIPAddress":"198.18.20.10-198.18.20.11"}]"#,
        #"[{"protocol":"Any","remotePort":"443, 5003"}]"#,
        #"[{"protocol":"tcp","local_ip_address":"198.18.20.3","remote-port":"1024-65535"}]"#,
        // One port number, both sides: only the side the VM's own port is on.
        #"[{"protocol":"TCP","localPort":"8080"}]"#,
        #"[{"protocol":"TCP","remotePort":"8080"}]"#,
        #"[{"protocol":"UDP","remotePort":"5000"}]"#,
        #"[{"localPort":"5000;5001"}]"#,
    ]

    @Test func eachFilterSetCapturesExactlyTheMatchingPackets() throws {
        let lab = NetworkLab()
        let peer = try lab.addNamespace("pfp-\(lab.tag)")
        let vm = try lab.addNamespace("pfv-\(lab.tag)")
        try lab.link(peer, "198.18.20.10", vm, "198.18.20.2", prefix: 24)
        try lab.addSecondAddress(peer, "198.18.20.11", towards: "198.18.20.3", vm, "198.18.20.3", towards: "198.18.20.11")

        let pcapctl = Pcapctl(label: "filters")
        let all = pcapctl.capturesRoot + "/all.cap"
        #expect(try pcapctl.run(["create", "-n", "all", "--vm", vm, "--file-path", all]).exitCode == 0)
        for (index, filters) in Self.filterSets.enumerated() {
            let created = try pcapctl.run(["create", "-n", "f\(index)", "--vm", vm, "--file-path", pcapctl.capturesRoot + "/f\(index).cap", "--filters", filters])
            #expect(created.exitCode == 0, "\(created.standardError)")
        }

        // Peer to VM, from two source addresses, to UDP ports 5000-5003 and TCP ports 80, 8080, 22.
        for port: UInt16 in 5000...5003 {
            try lab.sendUDP(from: peer, to: "198.18.20.2", port: port, count: 3)
            try lab.sendUDP(from: peer, to: "198.18.20.3", port: port, count: 2)
        }
        for port: UInt16 in [80, 8080, 22] {
            try lab.sendTCP(from: peer, to: "198.18.20.2", port: port, count: 2)
            try lab.sendTCP(from: peer, to: "198.18.20.3", port: port, count: 1)
        }
        // VM to peer: UDP to 5000 and 5003, TCP to 443.
        for port: UInt16 in [5000, 5003] {
            try lab.sendUDP(from: vm, to: "198.18.20.10", port: port, count: 2)
            try lab.sendUDP(from: vm, to: "198.18.20.11", port: port, count: 2)
        }
        try lab.sendTCP(from: vm, to: "198.18.20.10", port: 443, count: 2)
        try lab.sendTCP(from: vm, to: "198.18.20.11", port: 443, count: 2)
        // VM to peer on the port numbers the peer also uses towards the VM: TCP 8080 (UDP 5000 above).
        try lab.sendTCP(from: vm, to: "198.18.20.10", port: 8080, count: 2)
        // The VM to itself: loopback, and its own address (also over loopback).
        try lab.sendUDP(from: vm, to: "127.0.0.1", port: 5000, count: 2)
        try lab.sendTCP(from: vm, to: "127.0.0.1", port: 8080, count: 2)
        try lab.sendUDP(from: vm, to: "198.18.20.2", port: 5001, count: 2)
        // No pause: a stop reads every packet the kernel already holds before the agent exits.

        for name in ["all"] + Self.filterSets.indices.map({ "f\($0)" }) {
            #expect(try pcapctl.run(["stop", "-n", name]).exitCode == 0)
        }
        let everything = try PcapDecoder.read(contentsOf: URL(fileURLWithPath: all))
        let everythingIP = everything.records.filter { PcapDecoder.decodePacket($0.bytes, linkType: everything.header.linkType).ipVersion == 4 }
        #expect(everythingIP.count >= 60)

        let linkType = everything.header.linkType
        #expect(everything.records.allSatisfy { PcapDecoder.linkDirection($0.bytes, linkType: linkType) != nil })
        #expect(everything.records.contains { PcapDecoder.linkDirection($0.bytes, linkType: linkType)?.onLoopback == true })
        for (index, json) in Self.filterSets.enumerated() {
            let filters = try FilterList.parse(json: json)
            let expected = try everything.records.filter {
                try ReferenceMatcher.captures(
                    PcapDecoder.decodePacket($0.bytes, linkType: linkType), direction: PcapDecoder.linkDirection($0.bytes, linkType: linkType),
                    with: filters)
            }.map(\.bytes)
            let file = try PcapDecoder.read(contentsOf: URL(fileURLWithPath: pcapctl.capturesRoot + "/f\(index).cap"))
            let captured = file.records.map(\.bytes)
            #expect(!expected.isEmpty, "filter set \(index) matched nothing: the traffic does not exercise it")
            #expect(expected.count < everythingIP.count, "filter set \(index) matched everything")
            #expect(captured.sorted { $0.lexicographicallyPrecedes($1) } == expected.sorted { $0.lexicographicallyPrecedes($1) },
                "filter set \(index): captured \(captured.count), expected \(expected.count)")
        }
        let expression = try pcapctl.run(["show-filter", "-n", "f0"]).json?["expression"] as? String
        #expect(expression == BPFExpression.make(for: try FilterList.parse(json: Self.filterSets[0]), on: .any))
    }
}
