import CaptureOperations
import ControlPlane
import Foundation
import OrderedJSON
@testable import PcapCtlCLI
import TestSupport
import Testing

struct ShorthandTests {
    func parsed(_ text: String) throws -> String {
        JSONWriter.compact.string(try Shorthand.parse(text))
    }

    @Test func azsExamplesAndItsTypedWords() throws {
        #expect(try parsed("[{protocol:TCP,local-ip-address:10.0.0.4,local-port:80}]") == #"[{"protocol":"TCP","local-ip-address":"10.0.0.4","local-port":80}]"#)
        #expect(try parsed("[{a:1.5,b:true,c:null,d:'x y',e:'it'/s'}]") == #"[{"a":1.5,"b":true,"c":null,"d":"x y","e":"it's"}]"#)
        #expect(try parsed("[{localPort:80;443,remoteIPAddress:1.1.1.1-255.255.255}]") == #"[{"localPort":"80;443","remoteIPAddress":"1.1.1.1-255.255.255"}]"#)
        #expect(try parsed("[a,]") == #"["a"]"#)
        #expect(try parsed("{a:[],b:{}}") == #"{"a":[],"b":{}}"#)
        #expect(try parsed("[01,-0,1e5,1.,-]") == #"["01",-0,1e5,"1.","-"]"#)
    }

    @Test func errorsSayWhereAndWhat() {
        func error(_ text: String) -> Shorthand.SyntaxError? {
            do { _ = try Shorthand.parse(text); return nil } catch { return error }
        }
        #expect(error("[{a:b c}]") == .init(position: 5, message: "Please wrap whitespace character in single quotes"))
        #expect(error("[{a:b}") == .init(position: 6, message: "Expect character ',' or ']'"))
        #expect(error("[{a:b},]x") == .init(position: 8, message: "Redundant tail"))
        #expect(error("[{a:'b}]") == .init(position: 8, message: "Miss end quota character: '"))
        #expect(error("{a:1,a:2}") == .init(position: 5, message: "Duplicate defined dict key 'a'"))
        #expect(error("[{a}]")?.message.hasPrefix("Key 'a' has no value") == true)
        #expect(error("") == .init(position: 0, message: "Cannot parse empty"))
        #expect(error("{a:}") == .init(position: 3, message: "Cannot parse empty"))
        #expect(error(String(repeating: "[", count: 100))?.message == "Nested deeper than 64 levels")
    }

    /// azure-cli-core's own parser, where the server tests' venv has it, agrees on every case's value.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/opt/pcapctl-venv/bin/python"), "azure-cli's venv (scripts/install-deps.sh) is not installed"))
    func agreesWithAzureCliCore() throws {
        let cases = [
            "[{protocol:TCP,local-ip-address:10.0.0.4,local-port:80}]", "[{a:1.5,b:true,c:null,d:'x y',e:'it'/s'}]",
            "[{localPort:80;443}]", "[a,]", "{a:[],b:{}}", "[01,-0,1e5,1.,-,false,nulls,'null']", "[{a:b c}]", "[{a:b}", "{a:1,a:2}", "[x]y",
        ]
        let program = """
            import json, sys
            from azure.cli.core.aaz._utils import AAZShortHandSyntaxParser
            for line in sys.stdin.read().split("\\n"):
                try: print(json.dumps(AAZShortHandSyntaxParser()(line), separators=(",", ":")))
                except Exception as error: print("error %d" % error.error_at)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/opt/pcapctl-venv/bin/python")
        process.arguments = ["-c", program]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(cases.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()
        let answers = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
        process.waitUntilExit()
        #expect(answers.count == cases.count)
        for (text, answer) in zip(cases, answers) {
            let ours: String
            do { ours = try parsed(text) } catch let error as Shorthand.SyntaxError { ours = "error \(error.position)" }
            // Python writes 1e5 as 100000.0 and -0 as 0: compare numbers by value.
            #expect(normalised(ours) == normalised(answer), "\(text)")
        }
    }

    private func normalised(_ json: String) -> String {
        guard let value = try? JSONReader.parse(json) else { return json }
        func walk(_ value: JSONValue) -> JSONValue {
            switch value {
            case .number(let literal): .number(Double(literal).map { "\($0 == 0 ? 0 : $0)" } ?? literal)
            case .array(let elements): .array(elements.map(walk))
            case .object(let members): .object(members.map { ($0.key, walk($0.value)) })
            default: value
            }
        }
        return JSONWriter.compact.string(walk(value))
    }
}

struct YAMLSubsetTests {
    func parsed(_ text: String) throws -> String {
        JSONWriter.compact.string(try YAMLSubset.parse(text))
    }

    @Test func blockListsOfMappingsWithTypedScalars() throws {
        let text = """
            ---
            # filters for the web tier
            - protocol: TCP   # web
              localIPAddress: 10.0.0.4
              localPort: 80
            - protocol: 'UDP'
              remotePort: "53"
              remoteIPAddress:
            - {"protocol": "Any"}
            """
        #expect(try parsed(text) == #"[{"protocol":"TCP","localIPAddress":"10.0.0.4","localPort":80},{"protocol":"UDP","remotePort":"53","remoteIPAddress":null},{"protocol":"Any"}]"#)
        #expect(try parsed("a:\n- 1\n- x: true\n  y: ~\nb: 'it''s'\n") == #"{"a":[1,{"x":true,"y":null}],"b":"it's"}"#)
        #expect(try parsed("[{\"localPort\": 80}]\n") == #"[{"localPort":80}]"#)
        #expect(try parsed("") == "null")
    }

    @Test func whatTheSubsetRefusesIsNamed() {
        func error(_ text: String) -> YAMLSubset.SyntaxError? {
            do { _ = try YAMLSubset.parse(text); return nil } catch { return error }
        }
        #expect(error("- a: 1\n   b: 2\n") == .init(line: 2, message: "unexpected indentation"))
        #expect(error("- &x a\n")?.message.contains("not supported") == true)
        #expect(error("a: |\n  text\n")?.message.contains("not supported") == true)
        #expect(error("a: 1\na: 2\n") == .init(line: 2, message: "duplicate key 'a'"))
        #expect(error("\t- a\n") == .init(line: 1, message: "tabs are not allowed in indentation"))
        #expect(error("- {protocol: TCP}\n")?.line == 1)
        #expect(error("a: 1\n---\nb: 2\n") == .init(line: 2, message: "only one YAML document is supported"))
    }
}

struct FilterFormsTests {
    /// Every form a user may give reaches the same validated filters.
    @Test func shorthandJSONAndYAMLGiveTheSameFilters() throws {
        let json = try CreateVerb.parseFilters(#"[{"protocol":"TCP","localIPAddress":"10.0.0.4","localPort":"80"}]"#)
        #expect(try CreateVerb.parseFilters("[{protocol:TCP,local-ip-address:10.0.0.4,local-port:80}]") == json)
        #expect(try CreateVerb.parseFilters("[{protocol:tcp,local_ip_address:10.0.0.4,localPort:'80'}]") == json)
        let path = NSTemporaryDirectory() + "filters-\(getpid()).yaml"
        try "- protocol: TCP\n  localIPAddress: 10.0.0.4\n  localPort: 80\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try CreateVerb.parseFilters("@" + path) == json)
    }

    @Test func badFormsAreUsageErrorsOnFilters() {
        for text in ["[{protocol:TCP,local-port:99999}]", "[{protocol:ICMP}]", "[{a:b c}]", #"[{"protocol":TCP}]"#, "[{colour:red}]"] {
            do {
                _ = try CreateVerb.parseFilters(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.kind == .usage && error.parameter == "filters", "\(text): \(error)")
            }
        }
    }
}

struct GlobalArgumentTests {
    func parse(_ arguments: [String]) throws(PcapCtlError) -> ParsedOptions {
        guard case .run(_, let options) = try ArgumentParser.parse(arguments, verbs: PcapCtl.verbs) else { return ParsedOptions() }
        return options
    }

    @Test func everyVerbTakesAzsGlobalArguments() throws {
        for verb in PcapCtl.verbs {
            for option in CommonOptions.global where option != CommonOptions.help {
                #expect(verb.options.contains(option), "\(verb.name) lacks --\(option.long)")
            }
        }
        let options = try parse(["list", "--only-show-errors", "--subscription", "s1", "--verbose", "--debug", "--acquire-policy-token", "--change-reference=CHG1", "-o", "yaml"])
        #expect(Diagnostics(options).level == .debug && !Diagnostics(options).showsWarnings)
        #expect(options.string(CommonOptions.subscription) == "s1")
    }

    @Test func noWaitTakesAzsOptionalBoolean() throws {
        let noWait = CreateVerb.noWait
        #expect(try parse(["create", "-n", "x"]).bool(noWait) == false)
        #expect(try parse(["create", "-n", "x", "--no-wait"]).bool(noWait) == true)
        #expect(try parse(["create", "--no-wait", "-n", "x"]).bool(noWait) == true)
        #expect(try parse(["create", "-n", "x", "--no-wait", "true"]).bool(noWait) == true)
        #expect(try parse(["create", "-n", "x", "--no-wait", "False"]).bool(noWait) == false)
        #expect(try parse(["create", "-n", "x", "--no-wait=no"]).bool(noWait) == false)
        #expect(try parse(["create", "-n", "x", "--no-wait", "1"]).bool(noWait) == true)
        #expect(throws: PcapCtlError.self) { try parse(["create", "-n", "x", "--no-wait", "maybe"]).bool(noWait) }
        for verb in ["create", "show-status", "stop", "delete"] {
            #expect(PcapCtl.verbs.first { $0.name == verb }!.options.contains { $0.long == "no-wait" && $0.rule == .boolean }, "\(verb)")
        }
    }

    @Test func captureIdsParseOrNameTheFlag() throws {
        let id = "/subscriptions/sub1/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_EastUS/packetCaptures/cap1"
        #expect(try CaptureID.parse(id) == CaptureReference(name: "cap1", location: "eastus", id: id))
        #expect(try CaptureID.parse(id.lowercased()).location == "eastus")
        for bad in ["", "cap1", "/subscriptions/sub1", id + "/x", id.replacingOccurrences(of: "packetCaptures", with: "flowLogs"), id.replacingOccurrences(of: "/cap1", with: "/"), id.replacingOccurrences(of: "cap1", with: "bad name")] {
            #expect(throws: PcapCtlError.self, "\(bad)") { try CaptureID.parse(bad) }
            do { _ = try CaptureID.parse(bad) } catch {
                #expect(error.kind == .usage && error.message.hasPrefix("--ids: "), "\(bad): \(error.message)")
            }
        }
        do {
            _ = try CaptureID.parse(id.replacingOccurrences(of: "NetworkWatcher_EastUS", with: "MyWatcher"))
            Issue.record("a watcher pcapctl has no name for was accepted")
        } catch {
            #expect(error.kind == .notFound)
        }
    }

    @Test func waitTakesOneConditionAndReadsTruthAsPython() throws {
        func condition(_ arguments: [String]) throws(PcapCtlError) -> String {
            try WaitVerb.waitCondition(try parse(["wait", "-n", "x"] + arguments)).words
        }
        #expect(try condition([]) == "stopped")
        #expect(try condition(["--created"]) == "created")
        #expect(try condition(["--custom", "name"]) == "matching the custom condition")
        #expect(throws: PcapCtlError.self) { try condition(["--created", "--exists"]) }
        #expect(throws: PcapCtlError.self) { try condition(["--custom", "[?"]) }
        let falsy: [JSONValue] = [.null, .bool(false), .number("0"), .number("0.0"), .string(""), .array([]), .object([])]
        let truthy: [JSONValue] = [.bool(true), .number("1"), .number("-0.5"), .string("x"), .array([.null]), .object([("a", .null)])]
        #expect(falsy.allSatisfy { !WaitVerb.isTrue($0) })
        #expect(truthy.allSatisfy { WaitVerb.isTrue($0) })
    }
}

struct HelpAndCompletionTests {
    @Test func helpIsWrappedToTheWidth() {
        for width in [40, 80, 132] {
            for verb in PcapCtl.verbs where !verb.isHidden {
                let text = Help.verb(verb, width: width)
                for line in text.split(separator: "\n") where line.count > width {
                    // Only a word longer than the line, or an example (kept whole so it can be pasted).
                    let longest = line.split(separator: " ").map(\.count).max() ?? 0
                    #expect(longest + 34 > width || line.hasPrefix("  pcapctl ") || line.hasPrefix("  source ") || line.hasPrefix("  status="), "\(verb.name) at \(width): \(line)")
                }
            }
        }
        #expect(Help.wrap("aa bb cc", width: 5, indent: 1, first: 0) == "aa bb\n cc\n")
    }

    @Test func everyScriptCompletesEveryVerbFlagAndValue() {
        for shell in Completion.Shell.allCases {
            let script = Completion.script(for: shell, verbs: PcapCtl.verbs)
            for verb in PcapCtl.verbs where !verb.isHidden {
                #expect(script.contains(verb.name), "\(shell): \(verb.name)")
                for option in verb.options where !option.isHidden {
                    if case .positional = option.kind {} else {
                        #expect(script.contains(shell == .fish ? "-l \(option.long)" : "--\(option.long)"), "\(shell) \(verb.name): --\(option.long)")
                    }
                    for value in option.completionValues {
                        #expect(script.contains(value), "\(shell) \(verb.name) --\(option.long): \(value)")
                    }
                }
            }
            #expect(!script.contains("__agent") && !script.contains("__man"))
        }
        #expect(Completion.valueKind(of: CommonOptions.captureName, in: ShowVerb.verb) == .captureNames)
        #expect(Completion.valueKind(of: CommonOptions.name, in: CreateVerb.verb) == .none)
        #expect(Completion.valueKind(of: CreateVerb.targetType, in: CreateVerb.verb) == .words(["AzureVM", "AzureVMSS"]))
        #expect(Completion.valueKind(of: CreateVerb.filePath, in: CreateVerb.verb) == .files)
    }

    @Test func manPageListsEveryOption() {
        let page = ManPage.render(verbs: PcapCtl.verbs, version: "test")
        for verb in PcapCtl.verbs where !verb.isHidden {
            #expect(page.contains(".SS \"pcapctl \(ManPage.escape(verb.name))\""))
            for option in verb.options where !option.isHidden {
                #expect(page.contains(ManPage.escape(option.spelling)), "\(verb.name): \(option.spelling)")
            }
        }
    }
}

/// No input crashes the filter readers: seeded random text over their syntax characters.
struct FilterReaderRobustnessTests {
    @Test func randomTextIsReadOrRefusedNeverCrashes() {
        var generator = SeededGenerator(seed: 12)
        let alphabet = Array("[]{},:'\"/ \n-#~&|ab19.e_\t")
        var refused = 0
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            if (try? Shorthand.parse(text)) == nil { refused += 1 }
            if (try? YAMLSubset.parse(text)) == nil { refused += 1 }
            if (try? CreateVerb.parseFilters(text)) == nil { refused += 1 }
        }
        // Most random text is refused, and some is read: both paths ran.
        #expect(refused > 20_000 && refused < 60_000)
    }
}
