import JMESPath
import OrderedJSON
import Testing

@Suite("JMESPath against the reference implementation")
struct DifferentialTests {
    @Test func handWrittenCorpusAgrees() throws {
        let comparison = try compareWithReference(Corpus.cases)
        print("JMESPath corpus: \(comparison.summary)")
        #expect(comparison.failures.isEmpty, "\(comparison.failures.prefix(40).joined(separator: "\n"))")
    }

    @Test func generatedExpressionsOverGeneratedDocumentsAgree() throws {
        var generator = CaseGenerator(seed: 20261201)
        var cases: [Case] = []
        for index in 0..<20000 {
            let document = generator.document()
            var expression = generator.expression()
            if index % 6 == 5 { expression = generator.damaged(expression) }
            cases.append(Case(expression: expression, document: document))
        }
        let comparison = try compareWithReference(cases)
        let errors = cases.filter { if case .error = Outcome(evaluating: $0) { true } else { false } }.count
        print("JMESPath generated: \(comparison.summary); \(errors) of the cases are errors")
        #expect(comparison.failures.isEmpty, "\(comparison.failures.prefix(40).joined(separator: "\n"))")
    }
}

@Suite("JMESPath on hostile expressions")
struct HostileExpressionTests {
    /// Deep nesting of every recursive rule is a syntax error, never a stack overflow.
    @Test(arguments: ["(", "!", "[", "{a:", "f(", "a||", "a|", "a&&", "&", "a[*].", "a[?b].", "[0][", "a == "])
    func deepNestingIsRefused(_ piece: String) {
        let text = String(repeating: piece, count: 20000 / piece.count) + "x"
        #expect(throws: JMESPathError.self) { try JMESPathExpression(text) }
    }

    @Test func longFlatChainsStillWork() throws {
        let text = Array(repeating: "a", count: 20000).joined(separator: ".")
        #expect(try JMESPathExpression(text).search(.object([("a", 1)])) == .null)
        #expect(throws: JMESPathError.self) { try JMESPathExpression(String(repeating: "a.", count: 40000) + "a") }
    }
}
