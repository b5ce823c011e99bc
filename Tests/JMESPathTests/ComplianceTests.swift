import Foundation
import JMESPath
import OrderedJSON
import Testing
import TestSupport

/// The specification's own compliance suite (Compliance/, see its README), through the library and through
/// the binary.
@Suite("JMESPath compliance suite")
struct ComplianceTests {
    struct Fixture {
        var file: String
        var testCase: Case
        var expected: Outcome
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Compliance")

    static func fixtures() throws -> [Fixture] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        var fixtures: [Fixture] = []
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            guard case .array(let groups) = try JSONReader.parse(text) else { continue }
            for group in groups {
                guard let given = group["given"], case .array(let cases)? = group["cases"] else { continue }
                for item in cases {
                    guard case .string(let expression)? = item["expression"] else { continue }
                    let expected: Outcome = if case .string(let kind)? = item["error"] { .error(kind) } else { .result((item["result"] ?? .null).pythonNumbers) }
                    fixtures.append(Fixture(file: file, testCase: Case(expression: expression, document: given), expected: expected))
                }
            }
        }
        return fixtures
    }

    @Test func everyCasePassesThroughTheLibraryAndTheBinary() throws {
        let fixtures = try Self.fixtures()
        let reference = try ReferenceOracle.outcomes(fixtures.map(\.testCase))
        var libraryFailures: [String] = [], binaryFailures: [String] = [], referenceDisagrees: [String] = []
        for (fixture, referenceOutcome) in zip(fixtures, reference) {
            let library = Outcome(evaluating: fixture.testCase)
            if library != fixture.expected {
                libraryFailures.append("\(fixture.file): \(fixture.testCase.expression): pcapctl \(library), expected \(fixture.expected)")
            }
            let sortedExpected: Outcome = if case .result(let value) = fixture.expected { .result(QueryVerbTests.sortedMembers(value)) } else { fixture.expected }
            let binary = try QueryVerbTests.outcome(of: fixture.testCase)
            if binary != sortedExpected {
                binaryFailures.append("\(fixture.file): \(fixture.testCase.expression): pcapctl query \(binary), expected \(fixture.expected)")
            }
            if referenceOutcome != fixture.expected { referenceDisagrees.append("\(fixture.testCase.expression): \(referenceOutcome)") }
        }
        print("JMESPath compliance: \(fixtures.count) cases; library passes \(fixtures.count - libraryFailures.count), pcapctl query passes \(fixtures.count - binaryFailures.count); the reference implementation passes \(fixtures.count - referenceDisagrees.count)")
        #expect(fixtures.count > 400)
        #expect(libraryFailures.isEmpty, "\(libraryFailures.prefix(20).joined(separator: "\n"))")
        #expect(binaryFailures.isEmpty, "\(binaryFailures.prefix(20).joined(separator: "\n"))")
    }
}
