import ControlPlane
import Testing

struct ValidationTests {
    @Test(arguments: ["cap1", "a", "Capture_1.x-y", String(repeating: "n", count: 80), "0start", "ends_"])
    func acceptsAzureNames(_ name: String) {
        #expect(Validation.isResourceName(name))
    }

    @Test(arguments: ["", "-lead", ".lead", "_lead", "a/b", "..", "a..b/", "trail.", "sp ace", String(repeating: "n", count: 81), "tab\t", "ünï", "a\0b"])
    func refusesOtherNames(_ name: String) {
        #expect(!Validation.isResourceName(name))
        #expect(throws: PcapCtlError.self) { try Validation.checkName(name) }
    }

    @Test func nameErrorsNameTheFlagAndTheRule() {
        #expect(throws: PcapCtlError.usage("name", "'a/b' is not a valid name: use 1-80 letters, digits, '_', '.' or '-', starting with a letter or digit and not ending with '.'")) {
            try Validation.checkName("a/b")
        }
    }

    @Test func locationsAreLowerCased() throws {
        #expect(try Validation.normalizeLocation("WestUS") == "westus")
        #expect(throws: PcapCtlError.self) { try Validation.normalizeLocation("west/us") }
        #expect(throws: PcapCtlError.self) { try Validation.normalizeLocation("") }
    }

    @Test(arguments: [
        ("/var/captures/a.cap", "a.cap"),
        ("/var/captures/x/y/b.cap", "x/y/b.cap"),
        ("/var/captures//c.cap", "c.cap"),
    ])
    func filePathsBeneathTheRootResolve(_ path: String, _ relative: String) throws {
        #expect(try Validation.relativeCapturePath(path, capturesRoot: "/var/captures") == relative)
    }

    @Test(arguments: [
        ("/var/captures/a.pcap", "must end with the '*.cap' extension"),
        ("capture/capture.cap", "must be an absolute path"),
        ("/var/captures/../etc/x.cap", "must not contain '.' or '..'"),
        ("/var/captures/./x.cap", "must not contain '.' or '..'"),
        ("/tmp/x.cap", "must lie beneath the captures root"),
        ("/var/capturesX/x.cap", "must lie beneath the captures root"),
        ("/var/captures.cap", "must lie beneath the captures root"),
        ("/var/captures/.cap", "must name a file"),
    ])
    func filePathsOutsideTheRootAreRefused(_ path: String, _ rule: String) {
        do throws(PcapCtlError) {
            _ = try Validation.relativeCapturePath(path, capturesRoot: "/var/captures")
            Issue.record("accepted \(path)")
        } catch {
            #expect(error.kind == .usage)
            #expect(error.parameter == "storageLocation.filePath")
            #expect(error.message.contains(rule), "\(error.message)")
        }
    }

    @Test func printableValuesStayOnOneLine() {
        #expect(Validation.printable("a\nb\u{1b}[31m") == "a?b?[31m")
        #expect(Validation.printable(String(repeating: "x", count: 500)).count == 120)
    }
}
