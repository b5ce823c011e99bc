import CaptureEngine
import PacketFilters
import Testing

/// Every expression the builder makes is accepted by libpcap for the link types a capture produces.
struct LibpcapCompileTests {
    @Test func everyCorpusExpressionCompiles() throws {
        var compiled = 0
        for filters in try ExpressionCorpus.filterLists() {
            guard let expression = BPFExpression.make(for: filters, on: .interface) else { continue }
            for linkType in [BPFValidator.linuxCooked, BPFValidator.ethernet] {
                do { try BPFValidator.check(expression, linkType: linkType) } catch {
                    Issue.record("\(expression) on link type \(linkType): \(error)")
                }
            }
            // The `any` device always gives the Linux cooked link type.
            if let directed = BPFExpression.make(for: filters, on: .any) {
                do { try BPFValidator.check(directed) } catch { Issue.record("\(directed) on the any device: \(error)") }
            }
            compiled += 1
        }
        #expect(compiled > 100)
    }

    @Test func theValidatorRefusesWhatLibpcapRefuses() {
        #expect(throws: CaptureError.self) { try BPFValidator.check("tcp and (") }
        #expect(throws: CaptureError.self) { try BPFValidator.check("ip6 src host 10.0.0.1") }
    }
}
