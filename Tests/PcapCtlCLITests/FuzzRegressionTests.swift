import ARMRequests
import ControlPlane
import Foundation
import PacketFilters
@testable import PcapCtlCLI
import Testing

/// Replays the fuzzers' seeds and every input they ever found (fuzz/corpus, fuzz/regressions) through
/// the same parsers, so a crash once found stays fixed.
struct FuzzRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fuzz")

    static func inputs(_ kind: String) throws -> [Data] {
        try ["corpus", "regressions"].flatMap { folder throws -> [Data] in
            let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(kind)
            // A target whose fuzzing never found anything has no regressions folder (git keeps no empty one).
            if folder == "regressions" && !FileManager.default.fileExists(atPath: directory.path) { return [] }
            return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil).map { try Data(contentsOf: $0) }
        }
    }

    @Test func argumentInputsParseWithoutCrashing() throws {
        let inputs = try Self.inputs("arguments")
        #expect(inputs.count >= 3)
        for input in inputs {
            let words = input.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            _ = try? ArgumentParser.parse(words, verbs: PcapCtl.verbs)
            for word in words { _ = try? Validation.relativeCapturePath(word, capturesRoot: "/var/captures") }
        }
    }

    @Test func filterInputsParseWithoutCrashing() throws {
        let inputs = try Self.inputs("filters")
        #expect(inputs.count >= 3)
        for input in inputs {
            if let filters = try? FilterList.parse(json: String(decoding: input, as: UTF8.self)) {
                _ = BPFExpression.make(for: filters, on: .interface)
                try FilterList.validate(filters)
            }
        }
    }

    /// The daemon's request decoding (fuzz/Sources/FuzzRequests): a request target line, then a create
    /// body. Each part decodes, or is refused with a 4xx in ARM's shape whose message names its target.
    @Test func requestInputsDecodeOrAreRefusedInARMShape() throws {
        let inputs = try Self.inputs("requests")
        #expect(inputs.count >= 30)
        let planner = CreatePlanner(
            environment: PcapCtlEnvironment(home: "/nonexistent/pcapctl-fuzz", capturesRoot: "/var/captures", subscription: "5ab1e5ed-1111-4222-8333-444455556666"),
            machines: MachineResolver(namespaceDirectory: "/nonexistent/pcapctl-fuzz/netns", hostName: "fuzzhost"))
        var planned = 0
        for input in inputs {
            let newline = input.firstIndex(of: UInt8(ascii: "\n")) ?? input.endIndex
            let body = Array(input[(newline < input.endIndex ? input.index(after: newline) : newline)...])
            do throws(ARMError) {
                if let path = RequestPath(String(decoding: input[..<newline], as: UTF8.self)) {
                    _ = try? path.apiVersion()
                    for segment in path.segments { _ = OperationID(segment).map { #expect(OperationID($0.description) == $0) } }
                }
                let request = try CreateBody.decode(body).request(name: "fuzzed", location: "local", subscription: "5ab1e5ed-1111-4222-8333-444455556666")
                do throws(PcapCtlError) { _ = try planner.plan(request) } catch { throw ARMError(error) }
                planned += 1
            } catch {
                #expect((400..<500).contains(error.status.code), "\(error)")
                #expect(!error.code.isEmpty && !error.message.isEmpty)
                if let target = error.target { #expect(error.message.hasPrefix("\(target): ")) }
            }
        }
        #expect(planned >= 3, "the seeds include bodies that plan")
    }
}
