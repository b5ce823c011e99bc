import ControlPlane
@testable import PcapCtlCLI
import OrderedJSON
import Testing

struct ArgumentParserTests {
    func parse(_ arguments: [String]) throws(PcapCtlError) -> Invocation {
        try ArgumentParser.parse(arguments, verbs: PcapCtl.verbs)
    }

    func options(_ arguments: [String]) throws -> ParsedOptions {
        guard case .run(_, let options) = try parse(arguments) else {
            Issue.record("not a run: \(arguments)")
            return ParsedOptions()
        }
        return options
    }

    func usageError(_ arguments: [String]) -> String? {
        do {
            _ = try parse(arguments)
            return nil
        } catch {
            return error.kind == .usage ? error.message : "not usage: \(error.message)"
        }
    }

    @Test func longShortAndEqualsSpellings() throws {
        let parsed = try options(["create", "-n", "c1", "--location=westus", "-gMyGroup", "--time-limit", "60", "--no-wait"])
        #expect(parsed.string(CommonOptions.name) == "c1")
        #expect(parsed.string(CommonOptions.location) == "westus")
        #expect(parsed.string(CommonOptions.resourceGroup) == "MyGroup")
        #expect(try parsed.unsigned(CreateVerb.timeLimit) == 60)
        #expect(parsed.has(CreateVerb.noWait))
    }

    @Test func lastValueWinsAndListsCollect() throws {
        let parsed = try options(["create", "-n", "a", "-n", "b", "--include", "0", "1", "--include", "2", "--no-wait"])
        #expect(parsed.string(CommonOptions.name) == "b")
        #expect(parsed.list(CreateVerb.include) == ["0", "1", "2"])
    }

    @Test func helpAndVersion() throws {
        guard case .topLevelHelp = try parse([]) else { Issue.record("no args"); return }
        guard case .topLevelHelp = try parse(["--help"]) else { Issue.record("--help"); return }
        guard case .version = try parse(["--version"]) else { Issue.record("--version"); return }
        guard case .help(let verb) = try parse(["stop", "--help"]), verb.name == "stop" else { Issue.record("stop --help"); return }
        guard case .help(let other) = try parse(["help", "create"]), other.name == "create" else { Issue.record("help create"); return }
        // Help wins even when required options are missing.
        guard case .help = try parse(["create", "-h"]) else { Issue.record("create -h"); return }
    }

    @Test func usageErrorsNameTheWordAndSuggest() {
        #expect(usageError(["creat"])?.contains("Did you mean 'create'?") == true)
        #expect(usageError(["create", "-n", "x", "--fil", "a"]) == "unrecognized option '--fil' for 'pcapctl create'. Did you mean '--file-path' or '--filters'?")
        #expect(usageError(["create", "-n", "x", "--time-limt", "5"]) == "unrecognized option '--time-limt' for 'pcapctl create'. Did you mean '--time-limit'?")
        #expect(usageError(["create"]) == "the following arguments are required: -n/--name")
        #expect(usageError(["create", "-n"]) == "--name requires a value; provide one as '--name <value>' or '--name=<value>'")
        #expect(usageError(["create", "-n", "x", "--no-wait=yes"]) == nil)
        #expect(usageError(["list", "--status=yes"]) == "--status takes no value")
        #expect(usageError(["show", "-n", "x", "stray"]) == "unrecognized argument 'stray'; see 'pcapctl show --help'")
        #expect(usageError(["-z"])?.hasPrefix("unrecognized argument '-z'") == true)
        #expect(usageError(["create", "-n", "x", "--include"]) == "--include requires at least one value")
        #expect(usageError(["__agent"]) != nil)
    }

    @Test(arguments: [
        ("abc", "--capture-size: Invalid format: 'abc' is not a whole number (allowed: 0 to 4294967295)"),
        ("-1", "--capture-size: Invalid format: '-1' is less than 0"),
        ("4294967296", "--capture-size: Invalid format: '4294967296' is greater than 4294967295"),
        ("99999999999999999999999", "--capture-size: Invalid format: '99999999999999999999999' is greater than 4294967295"),
        ("", "--capture-size: Invalid format: '' is not a whole number (allowed: 0 to 4294967295)"),
        ("1e3", "--capture-size: Invalid format: '1e3' is not a whole number (allowed: 0 to 4294967295)"),
    ])
    func numbersAreCheckedWithAzsWording(_ value: String, _ message: String) throws {
        let parsed = try options(["create", "-n", "x", "--capture-size", value])
        #expect(throws: PcapCtlError.usage(message)) { try parsed.unsigned(CreateVerb.captureSize) }
    }

    @Test func choicesAreCaseInsensitive() throws {
        let parsed = try options(["create", "-n", "x", "--target-type", "azurevmss", "-o", "TSV"])
        #expect(try parsed.choice(CreateVerb.targetType) == "AzureVMSS")
        let bad = try options(["create", "-n", "x", "--target-type", "vm"])
        #expect(throws: PcapCtlError.usage("--target-type: unrecognized value 'vm' from choices '[AzureVM, AzureVMSS]'")) {
            try bad.choice(CreateVerb.targetType)
        }
    }

    @Test func everyVerbsHelpListsEveryVisibleOption() {
        for verb in PcapCtl.verbs where !verb.isHidden {
            let help = Help.verb(verb, width: 1000)
            #expect(help.hasPrefix("OVERVIEW: \(verb.abstract)"))
            for option in verb.options where !option.isHidden {
                #expect(help.contains(option.spelling), "\(verb.name) help lacks \(option.spelling)")
            }
        }
        let top = Help.topLevel(verbs: PcapCtl.verbs)
        for verb in PcapCtl.verbs {
            #expect(top.contains("  \(verb.name) ") == !verb.isHidden)
        }
    }

    @Test func outputAndQueryAreAcceptedOnEveryVerbInEveryForm() throws {
        for verb in PcapCtl.verbs where !verb.isHidden {
            let required = verb.options.filter(\.isRequired).flatMap { option -> [String] in
                if case .positional = option.kind { return ["@"] }
                return ["--\(option.long)", "x"]
            }
            for form in [["-o", "none"], ["-o=none"], ["-onone"], ["--output=none"], ["--output", "none"], ["--query=name"], ["--query", "name"]] {
                let parsed = try options([verb.name] + required + form)
                #expect(parsed.has(form[0].hasPrefix("--query") ? CommonOptions.query : CommonOptions.output), "\(verb.name) \(form)")
            }
        }
    }

    @Test func azShapeDropsNullsAndNamesTheResourceGroup() throws {
        let status = try JSONReader.parse(#"{"id": "/subscriptions/s/resourceGroups/MyRG/providers/x/y/z", "name": "z", "stopReason": null, "nested": {"a": null, "id": "/subscriptions/s/resourcegroups/other/p"}}"#)
        let shaped = Output.azShaped(status)
        #expect(JSONWriter.compact.string(shaped) == #"{"id":"/subscriptions/s/resourceGroups/MyRG/providers/x/y/z","name":"z","nested":{"id":"/subscriptions/s/resourcegroups/other/p","resourceGroup":"other"},"resourceGroup":"MyRG"}"#)
    }
}
