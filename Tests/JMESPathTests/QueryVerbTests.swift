import JMESPath
import OrderedJSON
import Testing
import TestSupport

/// The same comparison through the built binary: `pcapctl query EXPR` with the document on stdin.
@Suite("pcapctl query against the reference implementation")
struct QueryVerbTests {
    /// What the binary's run means: exit 0 and the JSON printed, exit 2 a syntax error, exit 1 the
    /// evaluation error whose kind the message names.
    static func outcome(of testCase: Case) throws -> Outcome {
        let run = try runCommand(Pcapctl.executable, ["query", testCase.expression], standardInput: JSONWriter.compact.string(testCase.document))
        switch run.exitCode {
        case 0: return .result(sortedMembers(try JSONReader.parse(run.standardOutput).pythonNumbers))
        case 2: return .error("syntax")
        default:
            let kind = ["invalid-type", "invalid-arity", "unknown-function", "invalid-value"].first { run.standardError.contains("error: \($0) error:") }
            return .error(kind ?? "exit \(run.exitCode): \(run.standardError)")
        }
    }

    /// `-o json` prints members sorted, as az and jp do; the comparison through the binary is therefore
    /// blind to member order (the library's own comparison is not).
    static func sortedMembers(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements): .array(elements.map(sortedMembers))
        case .object(let members): .object(members.map { ($0.key, sortedMembers($0.value)) }.sorted { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) })
        default: value
        }
    }

    @Test func handWrittenCorpusAgreesThroughTheBinary() throws {
        let cases = Corpus.cases
        let reference = try ReferenceOracle.outcomes(cases)
        var failures: [String] = []
        var deviations = 0
        for (testCase, expected) in zip(cases, reference) {
            let expected: Outcome = if case .result(let value) = expected { .result(Self.sortedMembers(value)) } else { expected }
            let actual = try Self.outcome(of: testCase)
            guard actual != expected else { continue }
            if Deviation.matching(testCase, pcapctl: actual, reference: expected) != nil {
                deviations += 1
            } else {
                failures.append("\(testCase.expression): pcapctl query \(actual), reference \(expected)")
            }
        }
        print("pcapctl query corpus: \(cases.count) cases compared, \(cases.count - failures.count - deviations) agreed, \(deviations) documented deviations, \(failures.count) failed")
        #expect(failures.isEmpty, "\(failures.prefix(30).joined(separator: "\n"))")
    }
}
