import Foundation
import Testing
import TestSupport

/// A store written by pcapctl 0.1 (format 1, Tests/Fixtures/store-v1) is read by this pcapctl and
/// upgraded in place, with nothing lost.
struct StoreUpgradeTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/store-v1").path

    /// A copy of the fixture under this test's root, its `@ROOT@` paths pointing there.
    func installFixture(into pcapctl: Pcapctl) throws {
        try? FileManager.default.removeItem(atPath: pcapctl.root)
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: pcapctl.root)
        let files = FileManager.default.enumerator(atPath: pcapctl.root)?.allObjects as? [String] ?? []
        for file in files where file.hasSuffix(".json") {
            let path = pcapctl.root + "/" + file
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "@ROOT@", with: pcapctl.root)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    @Test func aFormatOneStoreIsReadAndUpgradedInPlace() throws {
        let pcapctl = Pcapctl(label: "upgrade")
        try installFixture(into: pcapctl)
        let record = pcapctl.home + "/locations/local/captures/Legacy/capture.json"
        #expect(try String(contentsOfFile: record, encoding: .utf8).contains("\"version\": 1"))

        let listed = try pcapctl.run(["list"])
        #expect(listed.exitCode == 0, "\(listed.standardError)")
        #expect(listed.jsonArray?.map { $0["name"] as? String } == ["Legacy", "blob1"])
        let shown = try #require(try pcapctl.run(["show", "-n", "legacy"]).json)
        #expect(shown["name"] as? String == "Legacy")
        #expect(shown["timeLimitInSeconds"] as? Int == 2)
        #expect((shown["storageLocation"] as? [String: Any])?["filePath"] as? String == pcapctl.capturesRoot + "/legacy.cap")
        let status = try #require(try pcapctl.run(["show-status", "-n", "Legacy"]).json)
        #expect(status["packetCaptureStatus"] as? String == "Stopped")
        #expect(status["stopReason"] as? String == "TimeExceeded")

        let upgraded = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: record))) as? [String: Any]
        #expect(upgraded?["formatVersion"] as? Int == 2)
        #expect(upgraded?["version"] == nil)
        #expect((upgraded?["capture"] as? [String: Any])?["name"] as? String == "Legacy")

        // Both captures' files still download, byte for byte what 0.1 delivered.
        let copy = pcapctl.root + "/legacy-copy.cap"
        #expect(try pcapctl.run(["download", "-n", "Legacy", "--file", copy]).exitCode == 0)
        #expect(FileManager.default.contentsEqual(atPath: copy, andPath: pcapctl.capturesRoot + "/legacy.cap"))
        #expect(try pcapctl.run(["download", "-n", "blob1", "--file", pcapctl.root + "/blob1.cap"]).exitCode == 0)
        #expect(try ReadBack.tcpdumpCount(pcapctl.root + "/blob1.cap", "udp and dst port 47999") == 5)
        // And the upgraded store takes new captures and deletes old ones.
        #expect(try pcapctl.run(["delete", "-n", "LEGACY"]).exitCode == 0)
        #expect(try pcapctl.run(["list"]).jsonArray?.map { $0["name"] as? String } == ["blob1"])
    }
}
