import Foundation
@testable import JMESPath
import OrderedJSON
import TestSupport

/// One expression over one document, and what came of it.
struct Case: Sendable {
    var expression: String
    var document: JSONValue
}

/// What evaluating a case gave: a result, or an error of a kind the specification names.
enum Outcome: Equatable, CustomStringConvertible {
    case result(JSONValue)
    case error(String)

    var description: String {
        switch self {
        case .result(let value): "result \(value)"
        case .error(let kind): "error \(kind)"
        }
    }

    /// The library's outcome, numbers in Python's spelling so that `2.0` and `1.5` compare as printed.
    init(evaluating testCase: Case) {
        do throws(JMESPathError) {
            self = .result(try JMESPathExpression(testCase.expression).search(testCase.document).pythonNumbers)
        } catch {
            self = .error(error.kind.rawValue)
        }
    }

}

/// The reference implementation (PyPI's `jmespath`, pinned in scripts/install-deps.sh), fed a whole batch in
/// one python3 process as JSON lines.
enum ReferenceOracle {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Oracle/jmespath_oracle.py").path

    static func outcomes(_ cases: [Case]) throws -> [Outcome] {
        let input = cases.map { testCase in
            JSONWriter.compact.string(.object([("expression", .string(testCase.expression)), ("document", testCase.document)])) + "\n"
        }.joined()
        let run = try runCommand("/usr/bin/env", ["python3", script], standardInput: input)
        guard run.exitCode == 0 else { throw OracleFailure(message: "the oracle exited \(run.exitCode): \(run.standardError)") }
        let lines = run.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.count == cases.count else { throw OracleFailure(message: "the oracle answered \(lines.count) of \(cases.count) cases") }
        return try lines.map { line in
            let answer = try JSONReader.parse(String(line))
            if case .string(let kind)? = answer["error"] { return .error(kind) }
            return .result((answer["result"] ?? .null).pythonNumbers)
        }
    }
}

struct OracleFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The deliberate deviations from the reference implementation (docs/query.md), recognised so that they
/// are counted apart instead of hiding among failures.
enum Deviation: String, CaseIterable {
    /// `&expr` outside a function argument: the reference returns a Python object that has no JSON form.
    case expressionReferenceAsValue = "expression reference outside a function argument"
    /// `merge` given a non-object after its first argument: the reference falls through to Python's
    /// `dict.update` (accepting lists of pairs, failing on strings); pcapctl refuses it as the signature says.
    case mergeOfNonObject = "merge() of a non-object"

    static func matching(_ testCase: Case, pcapctl: Outcome, reference: Outcome) -> Deviation? {
        if let expression = try? JMESPathExpression(testCase.expression), usesReferenceAsValue(expression.root) { return .expressionReferenceAsValue }
        if case .error(let message) = Outcome.message(evaluating: testCase), message.hasPrefix("merge():") { return .mergeOfNonObject }
        return nil
    }
}

/// Whether the tree has `&expr` anywhere but directly as a function argument.
private func usesReferenceAsValue(_ node: Node) -> Bool {
    switch node {
    case .identity, .current, .field, .literal, .index, .slice: false
    case .expressionReference: true
    case .subexpression(let children), .indexExpression(let children), .multiSelectList(let children): children.contains(where: usesReferenceAsValue)
    case .projection(let a, let b), .valueProjection(let a, let b), .comparison(_, let a, let b), .or(let a, let b), .and(let a, let b), .pipe(let a, let b):
        usesReferenceAsValue(a) || usesReferenceAsValue(b)
    case .filterProjection(let a, let b, let condition): usesReferenceAsValue(a) || usesReferenceAsValue(b) || usesReferenceAsValue(condition)
    case .flatten(let child), .not(let child): usesReferenceAsValue(child)
    case .multiSelectHash(let pairs): pairs.contains { usesReferenceAsValue($0.value) }
    case .function(_, let arguments):
        arguments.contains { argument in
            if case .expressionReference(let inner) = argument { return usesReferenceAsValue(inner) }
            return usesReferenceAsValue(argument)
        }
    }
}

extension Outcome {
    /// The library's error message, for telling a deviation from a failure.
    static func message(evaluating testCase: Case) -> Outcome {
        do throws(JMESPathError) {
            return .result(try JMESPathExpression(testCase.expression).search(testCase.document))
        } catch {
            return .error(error.message)
        }
    }
}

struct Comparison {
    var compared = 0
    var failures: [String] = []
    var deviations: [Deviation: Int] = [:]

    var agreed: Int { compared - failures.count - deviations.values.reduce(0, +) }

    var summary: String {
        "\(compared) cases compared, \(agreed) agreed, \(deviations.values.reduce(0, +)) documented deviations "
            + "(\(deviations.map { "\($0.value) \($0.key.rawValue)" }.sorted().joined(separator: "; "))), \(failures.count) failed"
    }
}

/// Compares the library with the oracle on every case.
func compareWithReference(_ cases: [Case]) throws -> Comparison {
    let expected = try ReferenceOracle.outcomes(cases)
    var comparison = Comparison(compared: cases.count)
    for (testCase, reference) in zip(cases, expected) {
        let actual = Outcome(evaluating: testCase)
        guard actual != reference else { continue }
        if let deviation = Deviation.matching(testCase, pcapctl: actual, reference: reference) {
            comparison.deviations[deviation, default: 0] += 1
        } else {
            comparison.failures.append("\(testCase.expression)  over \(testCase.document): pcapctl \(actual), reference \(reference)")
        }
    }
    return comparison
}
