import Foundation
import Testing
import TestSupport

/// What pcapctl prints, through the built binary: write failures, closed pipes, and each output format
/// against az's own formatter (knack, from PyPI) over the same JSON.
struct OutputTests {
    @Test func aFailedWriteToStdoutExitsOneWithCoreutilsWording() throws {
        let pcapctl = Pcapctl(label: "full")
        for arguments in [["list"], ["--version"], ["list", "-o", "table"], ["show-filter", "--filters", "[]"]] {
            let command = "exec \"$0\" \"$@\" > /dev/full"
            let result = try runCommand("/bin/bash", ["-c", command, Pcapctl.executable] + arguments, environment: pcapctl.environment)
            #expect(result.exitCode == 1, "\(arguments): exit \(result.exitCode)")
            #expect(result.standardError == "pcapctl: write error: No space left on device\n", "\(arguments): \(result.standardError)")
        }
    }

    @Test func aClosedPipeEndsTheOutputQuietly() throws {
        let pcapctl = Pcapctl(label: "pipe")
        // The reader is gone before pcapctl writes, so the write gets EPIPE.
        let script = "set -o pipefail; { sleep 0.3; exec \"$0\" --help; } | true"
        let result = try runCommand("/bin/bash", ["-c", script, Pcapctl.executable], environment: pcapctl.environment)
        #expect(result.exitCode == 0)
        #expect(result.standardError.isEmpty, "\(result.standardError)")
    }

    @Test func jsoncAndYamlcAreColouredOnlyOnATerminal() throws {
        let pcapctl = Pcapctl(label: "colour")
        for format in ["jsonc", "yamlc"] {
            let arguments = ["show-filter", "--filters", #"[{"protocol":"UDP","localPort":"53"}]"#, "-o", format]
            let plain = try pcapctl.run(arguments)
            #expect(!plain.standardOutput.contains("\u{1B}["), "\(format) into a file: \(plain.standardOutput)")
            #expect(plain.standardOutput == (try pcapctl.run(Array(arguments.dropLast()) + [format == "jsonc" ? "json" : "yaml"])).standardOutput)
            // script(1) gives the command a terminal as its stdout.
            let command = ([Pcapctl.executable] + arguments).map { "'\($0)'" }.joined(separator: " ")
            let terminal = try runCommand("/usr/bin/env", ["script", "-qec", command, "/dev/null"], environment: pcapctl.environment)
            #expect(terminal.standardOutput.contains("\u{1B}[94m"), "\(format) on a terminal: \(terminal.standardOutput)")
        }
    }

    @Test func aMalformedQueryIsAUsageErrorAndCreatesNothing() throws {
        let pcapctl = Pcapctl(label: "badquery")
        let result = try pcapctl.run(["create", "-n", "q", "--file-path", pcapctl.capturesRoot + "/q.cap", "--query", "[?name == ]"])
        #expect(result.exitCode == 2)
        #expect(result.standardError == "pcapctl: error: --query: invalid JMESPath expression at position 10: unexpected token ']'\n")
        #expect(result.standardOutput.isEmpty)
        #expect(pcapctl.filesWritten().filter { !$0.hasPrefix("captures") && $0 != "state" }.isEmpty, "\(pcapctl.filesWritten())")
    }
}

/// az's rendering, byte for byte, of what pcapctl prints for a real capture.
@Suite(.enabled(if: isRoot, "capturing needs root (CAP_NET_RAW)"))
struct AzRenderingTests {
    static let oracle = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../AzOutputTests/Oracle/knack_oracle.py").standardized.path

    /// The members az's schemas have: table and tsv show only these, as az (which drops the rest) does.
    static let resourceMembers: Set<String> = ["bytesToCapturePerPacket", "etag", "filters", "id", "name", "provisioningState", "resourceGroup", "scope", "storageLocation", "target", "targetType", "timeLimitInSeconds", "totalBytesPerSession"]
    static let statusMembers: Set<String> = ["captureStartTime", "id", "name", "packetCaptureError", "packetCaptureStatus", "resourceGroup", "stopReason"]

    /// knack's rendering of `json` (pcapctl's own `-o json` output) in `format`, after `query`.
    func knack(_ json: String, format: String, query: String?, members: Set<String>?) throws -> String {
        var document = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        if query == nil, format == "table" || format == "tsv", let members {
            if let object = document as? [String: Any] { document = object.filter { members.contains($0.key) } }
            if let list = document as? [[String: Any]] { document = list.map { $0.filter { members.contains($0.key) } } }
        }
        var request: [String: Any] = ["format": format, "document": document]
        request["query"] = query ?? NSNull()
        let line = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self) + "\n"
        let run = try runCommand("/usr/bin/env", ["python3", Self.oracle], standardInput: line)
        #expect(run.exitCode == 0, "\(run.standardError)")
        return try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8), options: [.fragmentsAllowed]) as? String ?? ""
    }

    func compare(_ pcapctl: Pcapctl, _ arguments: [String], members: Set<String>?, query: String? = nil, label: String) throws -> Int {
        let queryArguments = query.map { ["--query", $0] } ?? []
        let json = try pcapctl.run(arguments + ["-o", "json"]).standardOutput
        var compared = 0
        for format in ["json", "yaml", "table", "tsv"] {
            let ours = try pcapctl.run(arguments + queryArguments + ["-o", format])
            #expect(ours.exitCode == 0, "\(label) -o \(format): \(ours.standardError)")
            let theirs = try knack(json, format: format, query: query, members: members)
            #expect(ours.standardOutput == theirs, "\(label) -o \(format):\n--- pcapctl\n\(ours.standardOutput)--- az\n\(theirs)")
            compared += 1
        }
        return compared
    }

    @Test func resourceStatusListAndQueriesRenderAsAzRendersThem() throws {
        let pcapctl = Pcapctl(label: "azrender")
        // A filter nothing on loopback matches, so that the counters cannot move between two reads.
        let created = try pcapctl.run(["create", "-n", "cap1", "--interface", "lo", "--file-path", pcapctl.capturesRoot + "/cap1.cap",
                                       "--filters", #"[{"protocol":"UDP","localPort":"9"}]"#, "-o", "none"])
        #expect(created.exitCode == 0, "\(created.standardError)")
        var compared = 0
        compared += try compare(pcapctl, ["show", "-n", "cap1"], members: Self.resourceMembers, label: "resource")
        compared += try compare(pcapctl, ["show-status", "-n", "cap1"], members: Self.statusMembers, label: "running status")
        compared += try compare(pcapctl, ["show-status", "-n", "cap1"], members: Self.statusMembers, query: "packetCaptureStatus", label: "scalar query")
        #expect(try pcapctl.run(["stop", "-n", "cap1", "-o", "none"]).exitCode == 0)
        compared += try compare(pcapctl, ["show-status", "-n", "cap1"], members: Self.statusMembers, label: "stopped status")
        compared += try compare(pcapctl, ["show-status", "-n", "cap1"], members: Self.statusMembers, query: "[packetCaptureStatus, stopReason]", label: "list query")
        compared += try compare(pcapctl, ["list"], members: Self.resourceMembers, label: "list")
        compared += try compare(pcapctl, ["list"], members: Self.resourceMembers, query: "[].{name: name, limit: timeLimitInSeconds}", label: "hash query")
        print("az rendering through the binary: \(compared) outputs compared byte for byte")
        let status = try pcapctl.run(["show-status", "-n", "cap1", "--query", "packetCaptureStatus", "-o", "tsv"])
        #expect(status.standardOutput == "Stopped\n")
        let none = try pcapctl.run(["show-status", "-n", "cap1", "--query", "nothing", "-o", "tsv"])
        #expect(none.exitCode == 0 && none.standardOutput.isEmpty)
    }
}
