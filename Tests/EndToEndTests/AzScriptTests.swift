import Foundation
import Testing
import TestSupport

/// azure-cli's own scenario test for packet capture, run unchanged but for the command prefix.
@Suite(.enabled(if: isRoot, "capturing needs root (CAP_NET_RAW)"))
struct AzScriptTests {
    @Test func azureCliScenarioRunsWithThePrefixReplaced() throws {
        let pcapctl = Pcapctl(label: "azscript")
        let script = """
            set -e
            loc=westus
            rg=MyResourceGroup
            az() { shift 3; "$PCAPCTL" "$@"; }
            az network watcher packet-capture create -g $rg --vm localhost -n capture1 --file-path "$CAPTURES/capture1.cap"
            az network watcher packet-capture show -l $loc -n capture1
            az network watcher packet-capture stop -l $loc -n capture1
            az network watcher packet-capture show-status -l $loc -n capture1
            az network watcher packet-capture list -l $loc
            az network watcher packet-capture delete -l $loc -n capture1
            az network watcher packet-capture list -l $loc
            """
        pcapctl.extraEnvironment = ["PCAPCTL": Pcapctl.executable, "CAPTURES": pcapctl.capturesRoot, "PCAPCTL_LOCATION": "westus"]
        let result = try runCommand("/bin/bash", ["-c", script], environment: pcapctl.environment)
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        #expect(result.standardOutput.contains("\"packetCaptureStatus\": \"Stopped\""))
        #expect(result.standardOutput.hasSuffix("[]\n"))
        #expect(FileManager.default.fileExists(atPath: pcapctl.capturesRoot + "/capture1.cap"))
    }
}
