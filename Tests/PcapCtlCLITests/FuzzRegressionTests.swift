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
        try ["corpus", "regressions"].flatMap { folder in
            let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(kind)
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
}
