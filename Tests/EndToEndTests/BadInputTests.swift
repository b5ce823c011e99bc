import Foundation
import Testing
import TestSupport

/// Hostile and malformed input across every verb and flag: each gets exit code 2, one line on stderr
/// naming the problem, nothing on stdout, and nothing written to disk.
@Suite struct BadInputTests {
    /// Argument vectors, each wrong in one way. `@CAPTURES` stands for the test's captures root.
    static let cases: [[String]] = {
        var cases: [[String]] = []
        let f = "@CAPTURES/x.cap"
        let create = ["create", "-n", "ok", "--file-path", f]
        // Commands and global words.
        cases += [["creat"], ["CREATE"], ["stat"], ["-x"], ["--verbose", "list"], ["help", "nosuch"], [""], ["--versionx"]]
        // Options every verb refuses or lacks values for.
        for verb in ["create", "show", "show-status", "list", "stop", "delete", "download", "wait", "show-filter"] {
            cases.append([verb, "--no-such-option"])
            cases.append([verb, "-Z"])
            cases.append([verb, "stray-positional"])
            cases.append([verb, "-l"])
            cases.append([verb, "--location", "west us"])
        }
        // Missing required options.
        cases += [["create"], ["show"], ["show-status"], ["stop"], ["delete"], ["wait"], ["download", "-n", "x"], ["create", "--file-path", f]]
        // Names.
        for name in ["", "a/b", "..", "../x", "-", ".hidden", "trailing.", String(repeating: "n", count: 81), "a b", "tab\tname", "new\nline", "ü", "semi;colon", "quote'", "$(id)", "a*b"] {
            cases.append(["create", "-n", name, "--file-path", f])
        }
        for verb in ["show", "show-status", "stop", "delete", "wait"] {
            for name in ["a/b", "..", ".x", String(repeating: "z", count: 90)] { cases.append([verb, "-n", name]) }
        }
        cases.append(["download", "-n", "a/b", "--file", "/tmp/x.cap"])
        // Paths.
        for path in ["relative.cap", "capture/capture.cap", "@CAPTURES/x.pcap", "@CAPTURES/x", "@CAPTURES/../x.cap", "@CAPTURES/./x.cap", "@CAPTURES/a/../../x.cap",
                     "/etc/passwd.cap", "/tmp/x.cap", "@CAPTURESX/x.cap", "@CAPTURES.cap", "@CAPTURES/.cap", "", "C:\\Captures\\x.cap", "@CAPTURES/x.CAP", "/"] {
            cases.append(["create", "-n", "ok", "--file-path", path])
        }
        // Limits.
        for (flag, values) in [
            ("--capture-size", ["-1", "abc", "4294967296", "1e3", "", " ", "0x10", "1.5", "99999999999999999999999999", "+5"]),
            ("--capture-limit", ["-1", "5", "23", "4294967296", "ten", "1,000"]),
            ("--time-limit", ["18001", "-1", "99999999999999999999", "1.5", "1m", "", "∞"]),
            ("--buffer-size", ["0", "100", "1048575", "1073741825", "big"]),
        ] {
            for value in values { cases.append(create + [flag, value]) }
        }
        cases.append(create + ["--capture-size"])
        cases.append(create + ["--time-limit", "--no-wait"])
        // Filters.
        for filters in [
            "", "{", "[", "{}", "null", "42", "\"TCP\"", "[1]", "[[]]", "[null]",
            #"[{"protocol":"ICMP"}]"#, #"[{"protocol":""x}]"#, #"[{"localIP":"10.0.0.1"}]"#, #"[{"protocol":"TCP","bogus":1}]"#,
            #"[{"remoteIPAddress":"1.1.1.1-255.255.255"}]"#, #"[{"localIPAddress":"10.0.0.9-10.0.0.1"}]"#, #"[{"localIPAddress":"256.0.0.1"}]"#,
            #"[{"localIPAddress":"10.0.0.1;;10.0.0.2"}]"#, #"[{"localIPAddress":";10.0.0.1"}]"#, #"[{"localIPAddress":"10.0.0.0/33"}]"#,
            #"[{"localPort":"65536"}]"#, #"[{"localPort":"-1"}]"#, #"[{"localPort":"80-20"}]"#, #"[{"remotePort":"http"}]"#, #"[{"remotePort":"80;;443"}]"#,
            #"[{"localPort":80.5}]"#, #"[{"localPort":true}]"#, #"[{"localPort":[80]}]"#, #"[{"localIPAddress":"010.0.0.1"}]"#,
            #"[{"localIPAddress":"10.0.0.1","local_ip_address":"10.0.0.2"}]"#, #"[{"localIPAddress":"::1","remoteIPAddress":"10.0.0.1"}]"#,
            "[" + String(repeating: #"{"protocol":"TCP"},"#, count: 101) + #"{"protocol":"TCP"}]"#,
            String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
            "@/nonexistent/filters.json", "@",
        ] {
            cases.append(create + ["--filters", filters])
        }
        // Targets.
        cases += [
            create + ["--target-type", "VM"], create + ["--target-type", ""], create + ["--target-type", "AzureVMSS"],
            create + ["--include", "0"], create + ["--exclude", "1"], create + ["--target-type", "AzureVMSS", "--target", "ss", "--include", "0", "--exclude", "1"],
            create + ["--target-type", "AzureVMSS", "--target", "ss", "--include", "x"], create + ["--target-type", "AzureVMSS", "--target", "ss", "--include", "-1"],
            create + ["--target-type", "AzureVMSS", "--target", "a/b"], create + ["--vm", "../etc"], create + ["--vm", "pid:abc"], create + ["--vm", "pid:0"], create + ["--vm", "pid:-4"], create + ["--vm", "a b"],
            create + ["--interface", ""], create + ["--interface", "a/b"], create + ["--interface", "sixteen-chars-xx"], create + ["--interface", "a b"],
        ]
        // Storage.
        cases += [
            ["create", "-n", "ok"], ["create", "-n", "ok", "--storage-path", "logs"], ["create", "-n", "ok", "--storage-path", "logs", "--file-path", f],
            ["create", "-n", "ok", "--storage-account", "UpperCase"], ["create", "-n", "ok", "--storage-account", "ab"], ["create", "-n", "ok", "--storage-account", String(repeating: "a", count: 25)],
            ["create", "-n", "ok", "--storage-account", "acct1", "--storage-path", "https://other.blob.core.windows.net/logs"],
            ["create", "-n", "ok", "--storage-account", "acct1", "--storage-path", "../../etc"], ["create", "-n", "ok", "--storage-account", "acct1", "--storage-path", "Logs"],
            ["create", "-n", "ok", "--storage-account", "acct-1"],
        ]
        // Output, wait, download, show-filter, location, resource group.
        cases += [
            ["list", "-o", "xml"], ["list", "-o", ""], ["show", "-n", "x", "-o", "yml"], ["stop", "-n", "x", "-o=xml"],
            ["list", "--query", "["], ["list", "--query=a.", "-o", "tsv"], ["stop", "-n", "x", "--query", "{a"], create + ["--query", "[?a ="],
            ["wait", "-n", "x", "--timeout", "-1"], ["wait", "-n", "x", "--timeout", "soon"], ["wait", "-n", "x", "--timeout", "604801"],
            ["download", "-n", "x", "--file", ""], ["show-filter"], ["show-filter", "-n", "x", "--filters", "[]"], ["show-filter", "--filters", "{"],
            ["list", "-l", ""], ["list", "-l", "a/b"], ["list", "-l", String(repeating: "l", count: 65)], ["show", "-n", "x", "-l", "-x"],
            create + ["-g", "a/b"], create + ["-g", ""], create + ["--no-wait=maybe"], create + ["-l", "../up"],
        ]
        return cases
    }()

    /// Environments that are wrong: each makes every verb a usage error.
    static let environments: [[String: String]] = [
        ["PCAPCTL_HOME": "relative/state"], ["PCAPCTL_CAPTURES_ROOT": "/var/../etc"], ["PCAPCTL_STORAGE_ROOT": "storage"],
        ["PCAPCTL_LOCATION": "west us"], ["PCAPCTL_MAX_SESSIONS": "0"], ["PCAPCTL_MAX_SESSIONS": "lots"], ["PCAPCTL_SUBSCRIPTION": "a/b"],
    ]

    @Test func everyBadInputIsAUsageErrorAndWritesNothing() throws {
        let pcapctl = Pcapctl(label: "badinput")
        #expect(Self.cases.count + Self.environments.count >= 150, "only \(Self.cases.count + Self.environments.count) cases")
        var checked = 0
        for arguments in Self.cases {
            let expanded = arguments.map { $0.replacingOccurrences(of: "@CAPTURES", with: pcapctl.capturesRoot) }
            let result = try pcapctl.run(expanded)
            check(result, "\(expanded)")
            checked += 1
        }
        for environment in Self.environments {
            pcapctl.extraEnvironment = environment
            check(try pcapctl.run(["list"]), "\(environment)")
            check(try pcapctl.run(["create", "-n", "ok", "--file-path", pcapctl.capturesRoot + "/x.cap"]), "\(environment)")
            checked += 1
        }
        pcapctl.extraEnvironment = [:]
        // Bytes that are not UTF-8, through a shell.
        for word in [#"$'\xff\xfe'"#, #"$'cap\x01'"#, #"$'\xc3\x28'"#] {
            let result = try runCommand("/bin/bash", ["-c", "exec \"$0\" create -n \(word) --file-path \"$1\"", Pcapctl.executable, pcapctl.capturesRoot + "/x.cap"], environment: pcapctl.environment)
            check(result, word)
            checked += 1
        }
        #expect(checked >= 150)
        #expect(pcapctl.filesWritten().isEmpty, "written: \(pcapctl.filesWritten())")
    }

    func check(_ result: CommandResult, _ label: String) {
        #expect(result.exitCode == 2, "\(label): exit \(result.exitCode), stderr: \(result.standardError)")
        let lines = result.standardError.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1 && lines[0].hasPrefix("pcapctl: error: "), "\(label): stderr \(result.standardError.debugDescription)")
        #expect(result.standardOutput.isEmpty, "\(label): stdout \(result.standardOutput)")
    }
}
