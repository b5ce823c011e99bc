import ControlPlane
import Foundation
import Testing

/// The create rules, checked without root: namespaces are looked up in a directory the test makes.
struct CreatePlannerTests {
    let environment = PcapCtlEnvironment(home: "/state", capturesRoot: "/var/captures", subscription: "sub-1")
    let namespaces: String
    let planner: CreatePlanner

    init() throws {
        namespaces = NSTemporaryDirectory() + "pcapctl-netns-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: namespaces, withIntermediateDirectories: true)
        for name in ["ns1", "web_0", "web_1", "web_2", "web_x", "other_0"] {
            _ = FileManager.default.createFile(atPath: "\(namespaces)/\(name)", contents: nil)
        }
        planner = CreatePlanner(environment: environment, machines: MachineResolver(namespaceDirectory: namespaces, hostName: "host1"))
    }

    func request(_ change: (inout CreateRequest) -> Void = { _ in }) -> CreateRequest {
        var request = CreateRequest(name: "cap", location: "local", resourceGroup: "rg", filePath: "/var/captures/cap.cap", bufferSize: 1 << 25)
        change(&request)
        return request
    }

    /// A refused request's error as `parameter: message` (az's own wording where it has one).
    func usageMessage(_ request: CreateRequest) -> String? {
        do throws(PcapCtlError) {
            _ = try planner.plan(request)
            return nil
        } catch {
            let text = error.commandLineMessage ?? ((error.parameter.map { "\($0): " } ?? "") + error.message)
            return error.kind == .usage ? text : "not usage: \(text)"
        }
    }

    @Test func defaultsMatchAzure() throws {
        let capture = try planner.plan(request())
        let resource = capture.resource()
        #expect(resource.bytesToCapturePerPacket == 0)
        #expect(resource.totalBytesPerSession == 1_073_741_824)
        #expect(resource.timeLimitInSeconds == 18000)
        #expect(resource.targetType == .azureVM)
        #expect(resource.provisioningState == "Succeeded")
        #expect(resource.id == "/subscriptions/sub-1/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_local/packetCaptures/cap")
        #expect(resource.target == "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/host1")
        #expect(resource.storageLocation == StorageLocation(filePath: "/var/captures/cap.cap"))
        #expect(capture.settings.instances == [CaptureInstance(key: "vm", instanceId: nil, machine: .host, localFile: "cap.cap", storageFile: nil)])
    }

    @Test func storageRuleIsAzs() {
        let rule = "usage error: --storage-account NAME_OR_ID [--storage-path PATH] [--file-path PATH] | --file-path PATH"
        #expect(usageMessage(request { $0.filePath = nil }) == rule)
        #expect(usageMessage(request { $0.storagePath = "container" }) == rule)
        #expect(usageMessage(request { $0.filePath = nil; $0.storageAccount = "acct1" }) == nil)
        #expect(usageMessage(request { $0.storageAccount = "acct1"; $0.storagePath = "logs" }) == nil)
    }

    @Test func storageAccountIdsAndContainersResolve() throws {
        let now = Timestamp(seconds: 1_764_000_000, milliseconds: 7)
        let capture = try planner.plan(request {
            $0.filePath = nil
            $0.storageAccount = "/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/acct1"
            $0.storagePath = "https://acct1.blob.core.windows.net/mylogs/"
        }, now: now)
        #expect(capture.resource().storageLocation.storageId == "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct1")
        #expect(capture.settings.instances[0].storageFile == "acct1/mylogs/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.compute/virtualmachines/host1/2025/11/24/packetcapture_16_00_00_007.cap")
        #expect(capture.resource().storageLocation.storagePath == "/state/storage/" + capture.settings.instances[0].storageFile!)
    }

    @Test func badStorageValuesAreRefused() {
        #expect(usageMessage(request { $0.storageAccount = "Upper" })?.hasPrefix("storageLocation.storageId: ") == true)
        #expect(usageMessage(request { $0.storageAccount = "ab" })?.hasPrefix("storageLocation.storageId: ") == true)
        #expect(usageMessage(request { $0.storageAccount = "acct1"; $0.storagePath = "https://other.blob.core.windows.net/c1" })?.hasPrefix("storageLocation.storagePath: ") == true)
        #expect(usageMessage(request { $0.storageAccount = "acct1"; $0.storagePath = "../x" })?.hasPrefix("storageLocation.storagePath: ") == true)
    }

    @Test func byteLimitBelowAFileHeaderIsRefused() {
        #expect(usageMessage(request { $0.captureLimit = 23 })?.hasPrefix("totalBytesPerSession: ") == true)
        #expect(usageMessage(request { $0.captureLimit = 24 }) == nil)
        #expect(usageMessage(request { $0.captureLimit = 0 }) == nil)
    }

    @Test func vmsResolveToHostNamespacesAndProcesses() throws {
        #expect(try planner.plan(request { $0.vm = "ns1" }).settings.instances[0].machine == .namespace("ns1"))
        #expect(try planner.plan(request { $0.vm = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/ns1" }).settings.instances[0].machine == .namespace("ns1"))
        #expect(try planner.plan(request { $0.vm = "localhost" }).settings.instances[0].machine == .host)
        #expect(try planner.plan(request { $0.vm = "host1" }).settings.instances[0].machine == .host)
        #expect(try planner.plan(request { $0.vm = "pid:1" }).settings.instances[0].machine == .process(1))
        #expect(throws: PcapCtlError.notFound(parameter: "target", "VM 'nope' not found: no network namespace named 'nope' (see 'ip netns list')")) {
            try planner.plan(request { $0.vm = "nope" })
        }
        #expect(usageMessage(request { $0.vm = "pid:x" })?.hasPrefix("target: ") == true)
        #expect(usageMessage(request { $0.vm = "../etc" })?.hasPrefix("target: ") == true)
    }

    @Test func scaleSetsResolveInstancesWithIncludeAndExclude() throws {
        func instances(_ change: (inout CreateRequest) -> Void) throws -> [String] {
            try planner.plan(request { $0.targetType = .azureVMSS; $0.target = "web"; change(&$0) }).settings.instances.compactMap(\.instanceId)
        }
        #expect(try instances { _ in } == ["0", "1", "2"])
        #expect(try instances { $0.include = ["0", "2"] } == ["0", "2"])
        #expect(try instances { $0.include = [".../virtualMachineScaleSets/web/virtualMachines/1"] } == ["1"])
        #expect(try instances { $0.exclude = ["1"] } == ["0", "2"])
        let capture = try planner.plan(request { $0.targetType = .azureVMSS; $0.target = "web"; $0.include = ["1"] })
        #expect(capture.resource().target.hasSuffix("/virtualMachineScaleSets/web"))
        #expect(capture.settings.instances[0].localFile == "cap_1.cap")
        #expect(capture.settings.instances[0].machine == .namespace("web_1"))
        #expect(usageMessage(request { $0.targetType = .azureVMSS; $0.target = "web"; $0.include = ["0"]; $0.exclude = ["1"] })
            == "scope: Packet Capture Scope can either have Include Scope or Exclude Scope, but not both")
        #expect(usageMessage(request { $0.targetType = .azureVMSS }) == "--target: required when --target-type is AzureVMSS (the scale set's name or id)")
        #expect(usageMessage(request { $0.include = ["0"] }) == "--include/--exclude: scale set instances apply only with --target-type AzureVMSS")
        #expect(throws: PcapCtlError.self) { try planner.plan(request { $0.targetType = .azureVMSS; $0.target = "web"; $0.include = ["7"] }) }
        #expect(throws: PcapCtlError.self) { try planner.plan(request { $0.targetType = .azureVMSS; $0.target = "none" }) }
    }
}
