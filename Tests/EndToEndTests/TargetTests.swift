import Foundation
import Testing
import TestSupport

/// VMs and scale sets as network namespaces: the capture runs inside the target's namespace.
@Suite(.enabled(if: isRoot, "namespaces and capture need root"))
struct TargetTests {
    @Test func aVmIsANetworkNamespace() throws {
        let lab = NetworkLab()
        let (client, vm) = try lab.clientAndVM(subnet: 10)
        let pcapctl = Pcapctl(label: "vm")
        let file = pcapctl.capturesRoot + "/vm.cap"
        let created = try pcapctl.run(["create", "-n", "vm", "--vm", vm, "--file-path", file])
        #expect(created.exitCode == 0, "\(created.standardError)")
        #expect(created.json?["target"] as? String == "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Compute/virtualMachines/\(vm)")
        try lab.sendUDP(from: client, to: "198.18.10.2", port: 7000, count: 25)
        // Host loopback traffic is not the VM's: it must not appear.
        UDPTraffic.send(count: 10, payloadSize: 10, port: 7000)
        #expect(try pcapctl.run(["stop", "-n", "vm"]).exitCode == 0)
        #expect(try ReadBack.tcpdumpCount(file, "udp and dst host 198.18.10.2 and dst port 7000") == 25)
        #expect(try ReadBack.tcpdumpCount(file, "host 127.0.0.1") == 0)
    }

    @Test func aProcessNamespaceIsAVm() throws {
        let lab = NetworkLab()
        let (client, container) = try lab.clientAndVM(subnet: 11)
        let sleeper = try HelperProcess("/usr/bin/env", ["ip", "netns", "exec", container, "sleep", "60"])
        defer { sleeper.kill() }
        // `ip netns exec` enters the namespace, then becomes `sleep`: wait until the process is in it.
        let namespace = try #require(ReadBack.inode("/run/netns/\(container)"))
        try #require(waitUntil(seconds: 10) { ReadBack.inode("/proc/\(sleeper.pid)/ns/net") == namespace })
        let pcapctl = Pcapctl(label: "pid")
        let file = pcapctl.capturesRoot + "/pid.cap"
        let created = try pcapctl.run(["create", "-n", "bypid", "--vm", "pid:\(sleeper.pid)", "--file-path", file])
        #expect(created.exitCode == 0, "\(created.standardError)")
        try lab.sendUDP(from: client, to: "198.18.11.2", port: 7001, count: 12)
        #expect(try pcapctl.run(["stop", "-n", "bypid"]).exitCode == 0)
        #expect(try ReadBack.tcpdumpCount(file, "udp and dst port 7001") == 12)
    }

    @Test func unknownVmsAreRefusedWithNothingWritten() throws {
        let pcapctl = Pcapctl(label: "novm")
        let missing = try pcapctl.run(["create", "-n", "x", "--vm", "no-such-ns-\(UUID().uuidString.prefix(6))", "--file-path", pcapctl.capturesRoot + "/x.cap"])
        #expect(missing.exitCode == 3)
        #expect(missing.standardError.contains("not found"))
        let noPid = try pcapctl.run(["create", "-n", "x", "--vm", "pid:999999999", "--file-path", pcapctl.capturesRoot + "/x.cap"])
        #expect(noPid.exitCode == 3)
        #expect(noPid.standardError.contains("no process 999999999"), "\(noPid.standardError)")
        let noScaleSet = try pcapctl.run(["create", "-n", "x", "--target-type", "AzureVMSS", "--target", "nosuchset", "--file-path", pcapctl.capturesRoot + "/x.cap"])
        #expect(noScaleSet.exitCode == 3)
        #expect(pcapctl.filesWritten().isEmpty)
    }

    @Test func aNamespaceThatDisappearsEndsTheCaptureWithPacketsKept() throws {
        let lab = NetworkLab()
        let (client, vm) = try lab.clientAndVM(subnet: 12)
        let pcapctl = Pcapctl(label: "gone")
        let file = pcapctl.capturesRoot + "/gone.cap"
        #expect(try pcapctl.run(["create", "-n", "gone", "--vm", vm, "--file-path", file]).exitCode == 0)
        try lab.sendUDP(from: client, to: "198.18.12.2", port: 7002, count: 15)
        #expect(waitUntil(seconds: 10) { pcapctl.packetsFlushed("gone", "udp and dst port 7002") == 15 })
        try lab.removeNamespace(vm)
        #expect(try pcapctl.run(["wait", "-n", "gone", "--timeout", "10"]).exitCode == 0)
        let status = try #require(try pcapctl.run(["show-status", "-n", "gone"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Error")
        #expect(status["packetCaptureError"] as? [String] == ["CaptureFailed"])
        #expect((status["errorMessage"] as? String)?.contains("disappeared") == true)
        #expect(try ReadBack.tcpdumpCount(file, "udp and dst port 7002") == 15)
    }

    @Test func aScaleSetCapturesEachIncludedInstanceToItsOwnFile() throws {
        let lab = NetworkLab()
        let hub = try lab.addNamespace("psh-\(lab.tag)")
        let scaleSet = "pss\(lab.tag)"
        var addresses: [String] = []
        for instance in 0..<3 {
            let namespace = try lab.addNamespace("\(scaleSet)_\(instance)")
            let base = 4 * instance
            try lab.link(hub, "198.18.13.\(base + 1)", namespace, "198.18.13.\(base + 2)")
            addresses.append("198.18.13.\(base + 2)")
        }
        let pcapctl = Pcapctl(label: "vmss")
        let created = try pcapctl.run(["create", "-n", "ss", "--target-type", "AzureVMSS", "--target", scaleSet, "--include", "0", "2", "--file-path", pcapctl.capturesRoot + "/ss.cap", "--storage-account", "acct1"])
        #expect(created.exitCode == 0, "\(created.standardError)")
        #expect(created.json?["targetType"] as? String == "AzureVMSS")
        #expect((created.json?["scope"] as? [String: [String]])?["include"] == ["0", "2"])
        #expect(created.json?["instances"] as? [String] == ["0", "2"])
        for (instance, address) in addresses.enumerated() {
            try lab.sendUDP(from: hub, to: address, port: 7003, count: 10 * (instance + 1))
        }
        #expect(try pcapctl.run(["stop", "-n", "ss"]).exitCode == 0)
        let status = try #require(try pcapctl.run(["show-status", "-n", "ss"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Stopped")
        let instances = try #require(status["instances"] as? [[String: Any]])
        #expect(instances.map { $0["instanceId"] as? String } == ["0", "2"])
        #expect(instances.allSatisfy { $0["packetCaptureStatus"] as? String == "Stopped" })
        #expect(try ReadBack.tcpdumpCount(pcapctl.capturesRoot + "/ss_0.cap", "udp and dst port 7003") == 10)
        #expect(try ReadBack.tcpdumpCount(pcapctl.capturesRoot + "/ss_2.cap", "udp and dst port 7003") == 30)
        #expect(!FileManager.default.fileExists(atPath: pcapctl.capturesRoot + "/ss_1.cap"))
        let blobs = instances.flatMap { ($0["files"] as? [String]) ?? [] }.filter { $0.hasPrefix(pcapctl.storageRoot) }
        #expect(blobs.count == 2)
        #expect(blobs.allSatisfy { $0.contains("/virtualmachinescalesets/\(scaleSet)/virtualmachines/") })
        let downloadDir = pcapctl.root + "/dl"
        #expect(try pcapctl.run(["download", "-n", "ss", "--file", downloadDir]).exitCode == 0)
        #expect(try ReadBack.tcpdumpCount(downloadDir + "/2.cap", "udp and dst port 7003") == 30)

        let excluded = try pcapctl.run(["create", "-n", "ex", "--target-type", "AzureVMSS", "--target", scaleSet, "--exclude", "0", "--file-path", pcapctl.capturesRoot + "/ex.cap", "--time-limit", "1"])
        #expect(excluded.exitCode == 0, "\(excluded.standardError)")
        #expect(excluded.json?["instances"] as? [String] == ["1", "2"])
        #expect(try pcapctl.run(["wait", "-n", "ex", "--timeout", "10"]).exitCode == 0)
        let exStatus = try #require(try pcapctl.run(["show-status", "-n", "ex"]).json)
        #expect((exStatus["instances"] as? [[String: Any]])?.map { $0["instanceId"] as? String } == ["1", "2"])
    }
}
