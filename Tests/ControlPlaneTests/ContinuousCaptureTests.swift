import ControlPlane
import Foundation
import Testing

/// Continuous capture's request rules (Azure's codes and messages), defaults, printed shape, file names
/// and the free-space refusal, without root.
struct ContinuousCaptureTests {
    let environment = PcapCtlEnvironment(home: "/state", capturesRoot: "/var/captures", subscription: "sub-1")
    var planner: CreatePlanner { CreatePlanner(environment: environment, machines: MachineResolver(namespaceDirectory: "/nonexistent", hostName: "host1")) }

    func request(_ change: (inout CreateRequest) -> Void = { _ in }) -> CreateRequest {
        var request = CreateRequest(name: "ring", location: "local", resourceGroup: "rg", continuousCapture: true, localPath: "/var/captures/ring.cap", bufferSize: 1 << 25)
        change(&request)
        return request
    }

    /// A refused request as `CODE: parameter: message`, the code left out when it is the one every refused
    /// field carries, unless `generic` is asked for.
    func refusal(_ request: CreateRequest, generic: Bool = false) -> String? {
        do throws(PcapCtlError) {
            _ = try planner.plan(request)
            return nil
        } catch {
            let code = generic || error.code != PcapCtlError.invalidRequestCode ? error.code : nil
            return [code, error.parameter, error.message].compactMap { $0 }.joined(separator: ": ")
        }
    }

    @Test func defaultsAreAzures() throws {
        let capture = try planner.plan(request())
        #expect(capture.record.continuousCapture == true)
        #expect(capture.record.captureSettings == PacketCaptureSettings(fileCount: 10, fileSizeInBytes: 104_857_600, sessionTimeLimitInSeconds: 86400))
        #expect(capture.record.storageLocation == StorageLocation(localPath: "/var/captures/ring.cap"))
        #expect(capture.settings.instances[0].localFile == "ring.cap")
        let printed = try #require(JSONSerialization.jsonObject(with: Data(JSON.encode(capture.resource()))) as? [String: Any])
        #expect(printed["continuousCapture"] as? Bool == true)
        #expect((printed["captureSettings"] as? [String: Any])?["fileCount"] as? Int == 10)
        #expect(printed["totalBytesPerSession"] == nil && printed["timeLimitInSeconds"] == nil, "a ring has no session limits of its own")
        #expect((printed["storageLocation"] as? [String: Any])?["localPath"] as? String == "/var/captures/ring.cap")
        // A single-file capture prints as before: its limits, and no continuous fields.
        let single = try planner.plan(request { $0.continuousCapture = nil; $0.localPath = nil; $0.filePath = "/var/captures/one.cap" })
        let singlePrinted = try #require(JSONSerialization.jsonObject(with: Data(JSON.encode(single.resource()))) as? [String: Any])
        #expect(singlePrinted["totalBytesPerSession"] as? Int == 1_073_741_824 && singlePrinted["continuousCapture"] == nil)
        #expect((singlePrinted["storageLocation"] as? [String: Any])?.keys.contains("localPath") == false)
    }

    @Test func azuresRefusalsForAContinuousCapture() {
        #expect(refusal(request { $0.captureLimit = 1000 }, generic: true) == "InvalidRequestPropertiesInPacketCaptureRequest: totalBytesPerSession: TotalBytesPerSession is not supported in packet capture request.")
        #expect(refusal(request { $0.timeLimit = 60 }, generic: true) == "InvalidRequestPropertiesInPacketCaptureRequest: timeLimitInSeconds: TimeLimitInSecond is not supported in packet capture request.")
        #expect(refusal(request { $0.filePath = "/var/captures/x.cap" }) == "PacketCaptureIsMissingStorageIdAndLocalPath: storageLocation.filePath: Command must have either storage id or local path specified.")
        #expect(refusal(request { $0.localPath = nil }) == "PacketCaptureIsMissingStorageIdAndLocalFilePath: storageLocation: Command must have either storage id or local file path specified.")
        #expect(refusal(request { $0.localPath = nil; $0.storageAccount = "acct1" }) == nil)
        #expect(refusal(request { $0.continuousCapture = false }) == nil)
        #expect(refusal(request { $0.localPath = "/tmp/x.cap" })?.hasPrefix("storageLocation.localPath: ") == true)
    }

    @Test func settingsAreCheckedAgainstTheirRanges() {
        #expect(refusal(request { $0.fileCount = 10001 }) == "captureSettings.fileCount: Invalid format: '10001' is greater than 10000")
        #expect(refusal(request { $0.fileSizeInBytes = 4_294_967_296 }) == "captureSettings.fileSizeInBytes: Invalid format: '4294967296' is greater than 4294967295")
        #expect(refusal(request { $0.sessionTimeLimitInSeconds = 604_801 }) == "captureSettings.sessionTimeLimitInSeconds: Invalid format: '604801' is greater than 604800")
        #expect(refusal(request { $0.fileSizeInBytes = 1023 })?.hasPrefix("captureSettings.fileSizeInBytes: Invalid value: '1023' is less than 1024") == true)
        #expect(refusal(request { $0.fileSizeInBytes = 1024; $0.fileCount = 0; $0.sessionTimeLimitInSeconds = 604_800 }) == nil)
        #expect(refusal(request { $0.fileSizeInBytes = 0 }) == nil)
    }

    @Test func continuousFieldsNeedAContinuousCapture() {
        let single = { (change: (inout CreateRequest) -> Void) in
            request { $0.continuousCapture = nil; $0.localPath = nil; $0.filePath = "/var/captures/one.cap"; change(&$0) }
        }
        #expect(refusal(single { $0.localPath = "/var/captures/x.cap" })?.hasPrefix("storageLocation.localPath: applies only to a continuous capture") == true)
        #expect(refusal(single { $0.fileCount = 3 })?.hasPrefix("captureSettings: applies only to a continuous capture") == true)
    }

    @Test func filesAreNamedAfterTheirNumberAndStart() {
        let name = SegmentNames.stateFileName(number: 7, startSeconds: 1_764_000_000)
        #expect(name == "00007_20251124160000.cap")
        #expect(SegmentNames.number(of: name) == 7)
        #expect(SegmentNames.number(of: SegmentNames.stateFileName(number: 123_456, startSeconds: 0)) == 123_456)
        #expect(SegmentNames.number(of: "capture.partial.cap") == nil && SegmentNames.number(of: "12_x.cap") == nil)
        #expect(SegmentNames.destination("dir/ring.cap", stateFileName: name) == "dir/ring_00007_20251124160000.cap")
    }

    @Test func aRingThatCannotFitTheDiskIsRefusedSayingWhatItNeeds() throws {
        let root = NSTemporaryDirectory() + "pcapctl-space-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["home", "captures"] { try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true) }
        let local = PcapCtlEnvironment(home: "\(root)/home", capturesRoot: "\(root)/captures", subscription: "sub-1")
        let planner = CreatePlanner(environment: local, machines: MachineResolver(namespaceDirectory: "/nonexistent", hostName: "host1"))
        let huge = try planner.plan(request { $0.localPath = "\(root)/captures/ring.cap"; $0.fileCount = 10000; $0.fileSizeInBytes = 4_294_967_295 })
        do throws(PcapCtlError) {
            try planner.checkSpace(huge)
            Issue.record("a 40 TiB ring was accepted")
        } catch {
            #expect(error.kind == .usage && error.parameter == "captureSettings")
            #expect(error.message.hasPrefix("the ring needs 42949672950000 bytes (10000 files of 4294967295 bytes) on the file system of \(root)/home and \(root)/captures, which has "))
        }
        let small = try planner.plan(request { $0.localPath = "\(root)/captures/ring.cap"; $0.fileCount = 3; $0.fileSizeInBytes = 65536 })
        #expect(throws: Never.self) { try planner.checkSpace(small) }
    }
}
