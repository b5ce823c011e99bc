import Foundation
import Testing
import TestSupport

/// az's conventions through the built binary: a realistic az script run unchanged but for its prefix,
/// `--ids`, `--no-wait`, wait's conditions and exit codes, the global arguments, and the completions.
@Suite(.enabled(if: isRoot, "capturing needs root (CAP_NET_RAW)"))
struct AzCLIConventionTests {
    /// The lines az users write: create without waiting, wait for it, poll its status with a query, act
    /// by id, stop quietly, list as a table, delete, wait for the deletion.
    @Test func realisticAzScriptRunsUnchangedButForThePrefix() throws {
        let pcapctl = Pcapctl(label: "azconv")
        let script = """
            set -euo pipefail
            az() { shift 3; "$PCAPCTL" "$@"; }
            loc=westus
            sub=11111111-2222-3333-4444-555555555555
            az network watcher packet-capture create -g MyGroup --vm localhost -n cap1 --file-path "$CAPTURES/cap1.cap" \\
                --filters '[{protocol:UDP,remote-ip-address:127.0.0.1,remotePort:9}]' --subscription "$sub" --only-show-errors --no-wait
            az network watcher packet-capture wait -l $loc -n cap1 --created --interval 1 --timeout 60
            for attempt in $(seq 1 100); do
                status=$(az network watcher packet-capture show-status -l $loc -n cap1 --query packetCaptureStatus -o tsv)
                [ "$status" = Running ] && break
                sleep 0.1
            done
            echo "status=$status"
            id=$(az network watcher packet-capture show -l $loc -n cap1 --query id -o tsv)
            echo "id=$id"
            az network watcher packet-capture show --ids "$id" --query name -o tsv
            az network watcher packet-capture stop --ids "$id" -o none
            echo "stopped=$(az network watcher packet-capture show-status --ids "$id" --query '[packetCaptureStatus,stopReason]' -o tsv | paste -sd, -)"
            az network watcher packet-capture list -l $loc -o table --subscription "$sub"
            az network watcher packet-capture delete --ids "$id" --no-wait
            az network watcher packet-capture wait --ids "$id" --deleted --timeout 30
            echo "left=$(az network watcher packet-capture list -l $loc --query 'length(@)' -o tsv)"
            """
        // az takes the location from the VM at create; pcapctl from PCAPCTL_LOCATION.
        pcapctl.extraEnvironment = ["PCAPCTL": Pcapctl.executable, "CAPTURES": pcapctl.capturesRoot, "PCAPCTL_LOCATION": "westus"]
        let result = try runCommand("/bin/bash", ["-c", script], environment: pcapctl.environment)
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let id = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westus/packetCaptures/cap1"
        #expect(lines.first == "status=Running", "\(lines)")
        #expect(lines.contains("id=\(id)"))
        #expect(lines.contains("cap1"))
        #expect(lines.contains("stopped=Stopped,StopRequested"))
        #expect(lines.contains { $0.hasPrefix("BytesToCapturePerPacket") && $0.contains("ProvisioningState") })
        #expect(lines.contains { $0.hasPrefix("0 ") && $0.contains(" cap1 ") && $0.contains("Succeeded") })
        #expect(lines.last == "left=0")
        #expect(FileManager.default.fileExists(atPath: pcapctl.capturesRoot + "/cap1.cap"))
    }

    @Test func noWaitPrintsNothingAndStopNoWaitOnlyRequests() throws {
        let pcapctl = Pcapctl(label: "aznowait")
        let file = pcapctl.capturesRoot + "/nw.cap"
        let created = try pcapctl.run(["create", "-n", "nw", "--file-path", file, "--no-wait", "true"])
        #expect(created.exitCode == 0 && created.standardOutput.isEmpty, "\(created.standardError)")
        #expect(try pcapctl.run(["wait", "-n", "nw", "--created", "--timeout", "30"]).exitCode == 0)
        let status = try pcapctl.run(["show-status", "-n", "nw", "--no-wait"])
        #expect(status.exitCode == 0 && status.standardOutput.isEmpty)
        #expect(try pcapctl.run(["show-status", "-n", "absent", "--no-wait"]).exitCode == 3)
        let shown = try pcapctl.run(["show-status", "-n", "nw", "--no-wait", "false", "--query", "name", "-o", "tsv"])
        #expect(shown.standardOutput == "nw\n")
        let stop = try pcapctl.run(["stop", "-n", "nw", "--no-wait", "--verbose"])
        #expect(stop.exitCode == 0 && stop.standardOutput.isEmpty)
        // Requested, not waited for: the verbose log has no "stopped after" line, and wait --stopped
        // then sees the capture finish.
        #expect(!stop.standardError.contains("stopped (StopRequested)"), "\(stop.standardError)")
        #expect(try pcapctl.run(["wait", "-n", "nw", "--stopped", "--timeout", "30"]).exitCode == 0)
        let final = try pcapctl.run(["show-status", "-n", "nw", "--query", "stopReason", "-o", "tsv"])
        #expect(final.standardOutput == "StopRequested\n")
        #expect(try pcapctl.run(["create", "-n", "bad", "--file-path", file, "--no-wait", "maybe"]).exitCode == 2)
    }

    @Test func waitExitCodesAndConditions() throws {
        let pcapctl = Pcapctl(label: "azwait")
        #expect(try pcapctl.run(["create", "-n", "w1", "--file-path", pcapctl.capturesRoot + "/w1.cap", "--time-limit", "60", "-o", "none"]).exitCode == 0)
        // Met at once.
        #expect(try pcapctl.run(["wait", "-n", "w1", "--exists"]).exitCode == 0)
        #expect(try pcapctl.run(["wait", "-n", "w1", "--custom", "provisioningState=='Succeeded'"]).exitCode == 0)
        // Not met: timed out, exit 1 (az would exit 0).
        let timedOut = try pcapctl.run(["wait", "-n", "w1", "--custom", "provisioningState=='Failed'", "--timeout", "1"])
        #expect(timedOut.exitCode == 1)
        #expect(timedOut.standardError == "pcapctl: error: timed out after 1 s waiting for capture 'w1' to be matching the custom condition\n")
        #expect(try pcapctl.run(["wait", "-n", "w1", "--deleted", "--timeout", "1"]).exitCode == 1)
        #expect(try pcapctl.run(["wait", "-n", "w1", "--timeout", "1"]).exitCode == 1)
        // Not there: --updated and --stopped say so (3); --created waits for it.
        #expect(try pcapctl.run(["wait", "-n", "nope", "--updated"]).exitCode == 3)
        #expect(try pcapctl.run(["wait", "-n", "nope"]).exitCode == 3)
        #expect(try pcapctl.run(["wait", "-n", "nope", "--created", "--timeout", "1"]).exitCode == 1)
        #expect(try pcapctl.run(["wait", "-n", "nope", "--deleted"]).exitCode == 0)
        // Usage: two conditions, a bad expression, a zero interval.
        #expect(try pcapctl.run(["wait", "-n", "w1", "--created", "--deleted"]).exitCode == 2)
        let badCustom = try pcapctl.run(["wait", "-n", "w1", "--custom", "[?"])
        #expect(badCustom.exitCode == 2 && badCustom.standardError.hasPrefix("pcapctl: error: --custom: invalid JMESPath expression"))
        #expect(try pcapctl.run(["wait", "-n", "w1", "--exists", "--interval", "0"]).exitCode == 2)
        // A custom condition that becomes true while waiting: the capture stops.
        _ = try pcapctl.run(["stop", "-n", "w1", "--no-wait"])
        #expect(try pcapctl.run(["wait", "-n", "w1", "--stopped", "--timeout", "30"]).exitCode == 0)
    }

    @Test func idsActOnEachAndMalformedIdsAreUsageErrors() throws {
        let pcapctl = Pcapctl(label: "azids")
        for name in ["a1", "a2"] {
            #expect(try pcapctl.run(["create", "-n", name, "-l", "eastus", "--file-path", pcapctl.capturesRoot + "/\(name).cap", "-o", "none"]).exitCode == 0)
        }
        let ids = try pcapctl.run(["list", "--query", "[].id", "-o", "tsv"]).standardOutput.split(separator: "\n").map(String.init)
        #expect(ids.count == 2)
        let shown = try pcapctl.run(["show", "--ids"] + ids + ["--query", "[].name", "-o", "tsv"])
        #expect(shown.standardOutput == "a1\na2\n")
        // One id in another subscription: the other is still acted on, and the exit code is the failure's.
        let foreign = ids[0].replacingOccurrences(of: "00000000-0000-0000-0000-000000000000", with: "99999999-0000-0000-0000-000000000000")
        let mixed = try pcapctl.run(["show-status", "--ids", foreign, ids[1], "--query", "[].name", "-o", "tsv"])
        #expect(mixed.exitCode == 3)
        #expect(mixed.standardOutput == "a2\n")
        #expect(mixed.standardError.contains("was not found"))
        for bad in ["/subscriptions/x", "not-an-id", ids[0] + "/extra"] {
            let refused = try pcapctl.run(["stop", "--ids", bad])
            #expect(refused.exitCode == 2, "\(bad)")
            #expect(refused.standardError.hasPrefix("pcapctl: error: --ids: "), "\(refused.standardError)")
        }
        #expect(try pcapctl.run(["delete", "--ids", ids[0], "-n", "a1"]).exitCode == 2)
        #expect(try pcapctl.run(["stop", "--ids"] + ids + ["-o", "none"]).exitCode == 0)
        #expect(try pcapctl.run(["delete", "--ids"] + ids).exitCode == 0)
        #expect(try pcapctl.run(["list", "--query", "length(@)", "-o", "tsv"]).standardOutput == "0\n")
    }

    @Test func verboseAndDebugTellWhatPcapctlDoesAndOnlyShowErrorsSilencesWarnings() throws {
        let pcapctl = Pcapctl(label: "azverbose")
        let created = try pcapctl.run(["create", "-n", "v1", "--file-path", pcapctl.capturesRoot + "/v1.cap", "-o", "none", "--verbose"])
        #expect(created.standardError.hasPrefix("pcapctl: info: started capture agent pid "), "\(created.standardError)")
        let stopped = try pcapctl.run(["stop", "-n", "v1", "--debug"])
        #expect(stopped.standardError.contains("pcapctl: debug: command line: pcapctl stop -n v1 --debug\n"))
        #expect(stopped.standardError.contains("pcapctl: info: capture agent of 'v1' instance vm stopped (StopRequested) after "))
        #expect(stopped.standardError.contains("pcapctl: info: capture 'v1' instance vm delivered \(pcapctl.capturesRoot)/v1.cap\n"))
        let quiet = try pcapctl.run(["show", "-n", "v1", "-o", "none"])
        #expect(quiet.standardError.isEmpty)
        // A corrupt record: list warns, and --only-show-errors keeps it quiet.
        let directory = pcapctl.home + "/locations/local/captures/broken"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("{".utf8).write(to: URL(fileURLWithPath: directory + "/capture.json"))
        #expect(try pcapctl.run(["list", "-o", "none"]).standardError.hasPrefix("pcapctl: warning: skipped capture"))
        #expect(try pcapctl.run(["list", "-o", "none", "--only-show-errors"]).standardError.isEmpty)
        // A wait for another pcapctl's lock on the store is told, with how long it took.
        let lock = pcapctl.home + "/locations/local/.lock"
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-x", lock, "-c", "touch \(pcapctl.root)/held; sleep 1"]
        try holder.run()
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: pcapctl.root + "/held") { usleep(10_000) }
        let waited = try pcapctl.run(["delete", "-n", "v1", "--verbose"])
        holder.waitUntilExit()
        #expect(waited.exitCode == 0)
        #expect(waited.standardError.contains("pcapctl: info: waiting for \(lock), held by another pcapctl\n"), "\(waited.standardError)")
        #expect(waited.standardError.contains("pcapctl: info: locked \(lock) after waiting "))
        // Accepted and without effect.
        #expect(try pcapctl.run(["list", "-o", "none", "--acquire-policy-token", "--change-reference", "CHG0001", "--only-show-errors"]).exitCode == 0)
        #expect(try pcapctl.run(["list", "--subscription", "bad/sub"]).exitCode == 2)
    }
}

/// The completion scripts run in the shells they are for, against a store with captures in it.
@Suite(.enabled(if: isRoot, "capturing needs root (CAP_NET_RAW)"))
struct CompletionScriptTests {
    @Test func bashCompletesVerbsFlagsValuesNamesAndLocations() throws {
        let pcapctl = Pcapctl(label: "azcomp")
        #expect(try pcapctl.run(["create", "-n", "web1", "-l", "eastus", "--file-path", pcapctl.capturesRoot + "/web1.cap", "--no-wait"]).exitCode == 0)
        #expect(try pcapctl.run(["create", "-n", "db1", "-l", "westus", "--file-path", pcapctl.capturesRoot + "/db1.cap", "--no-wait"]).exitCode == 0)
        let script = try pcapctl.run(["completion", "bash"]).standardOutput
        let probe = """
            pcapctl() { "$PCAPCTL" "$@"; }
            source /dev/stdin
            t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pcapctl; echo "${COMPREPLY[*]}"; }
            t pcapctl show-
            t pcapctl create --target-type ''
            t pcapctl list -o y
            t pcapctl show -n ''
            t pcapctl show -l westus -n ''
            t pcapctl stop -l ''
            t pcapctl wait --del
            t pcapctl completion ''
            """
        pcapctl.extraEnvironment = ["PCAPCTL": Pcapctl.executable]
        let result = try runCommand("/bin/bash", ["-c", probe], environment: pcapctl.environment, standardInput: script)
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) == [
            "show-status show-filter", "AzureVM AzureVMSS", "yaml yamlc", "web1 db1", "db1", "eastus westus", "--deleted", "bash zsh fish", "",
        ])
    }

    @Test func zshAndFishScriptsParseAndFishCompletes() throws {
        let pcapctl = Pcapctl(label: "azshells")
        for shell in ["zsh", "fish"] {
            let script = try pcapctl.run(["completion", shell])
            #expect(script.exitCode == 0)
            let path = pcapctl.root + "/completion.\(shell)"
            try script.standardOutput.write(toFile: path, atomically: true, encoding: .utf8)
            let checked = try runCommand("/usr/bin/\(shell)", ["-n", path])
            #expect(checked.exitCode == 0, "\(shell): \(checked.standardError)")
        }
        let fish = try runCommand("/usr/bin/fish", ["-c", "source \(pcapctl.root)/completion.fish; complete -C 'pcapctl create --target-type '"])
        #expect(fish.standardOutput.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") } == ["AzureVM", "AzureVMSS"], "\(fish.standardOutput) \(fish.standardError)")
    }

    @Test func theCommittedManPageIsTheGeneratedOneAndRenders() throws {
        let pcapctl = Pcapctl(label: "azman")
        let generated = try pcapctl.run(["__man"]).standardOutput
        let committed = try String(contentsOfFile: FileManager.default.currentDirectoryPath + "/docs/pcapctl.1", encoding: .utf8)
        #expect(generated == committed, "docs/pcapctl.1 is stale: run 'make man'")
        let path = pcapctl.root + "/pcapctl.1"
        try generated.write(toFile: path, atomically: true, encoding: .utf8)
        let rendered = try runCommand("/usr/bin/groff", ["-man", "-Tascii", "-P-cbu", "-ww", path])
        #expect(rendered.exitCode == 0 && rendered.standardError.isEmpty, "\(rendered.standardError)")
        #expect(rendered.standardOutput.contains("--only-show-errors"))
    }
}
