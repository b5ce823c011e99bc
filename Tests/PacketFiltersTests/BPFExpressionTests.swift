import Testing
@testable import PacketFilters

@Suite("BPF expressions")
struct BPFExpressionTests {
    @Test("golden expressions", arguments: ExpressionCorpus.golden)
    func golden(json: String, expression: String?) throws {
        #expect(BPFExpression.make(for: try FilterList.parse(json: json)) == expression)
    }

    @Test func emptyListCapturesEverything() {
        #expect(BPFExpression.make(for: []) == nil)
    }

    @Test func addressesAlwaysNameTheirFamily() throws {
        // A bare `src host 10.0.0.4` would also match ARP packets from 10.0.0.4.
        let expression = BPFExpression.make(for: [PacketCaptureFilter(localIPAddress: "10.0.0.4;2001:db8::4")])
        #expect(expression == "(ip src host 10.0.0.4 or ip6 src host 2001:db8::4) or (ip dst host 10.0.0.4 or ip6 dst host 2001:db8::4)")
    }

    @Test func anyWithPortsMeansTCPOrUDP() throws {
        let expression = BPFExpression.make(for: [PacketCaptureFilter(protocol: .any, remotePort: "443")])
        #expect(expression == "(tcp or udp) and (dst port 443 or src port 443)")
    }

    @Test func ipv6RangeBecomesExactBlocks() {
        let expression = BPFExpression.make(for: [PacketCaptureFilter(protocol: .tcp, remoteIPAddress: "2001:db8::1-2001:db8::4")])
        #expect(expression == "tcp and ((ip6 dst host 2001:db8::1 or ip6 dst net 2001:db8::2/127 or ip6 dst host 2001:db8::4)"
            + " or (ip6 src host 2001:db8::1 or ip6 src net 2001:db8::2/127 or ip6 src host 2001:db8::4))")
    }

    @Test func valuesAreRewrittenFromTheirTypedForm() {
        // Leading zeros, spaces, upper case and CIDR spellings never reach the expression as typed.
        let expression = BPFExpression.make(for: [PacketCaptureFilter(
            protocol: .udp, localIPAddress: " 2001:DB8:0:0::0/120 ", localPort: " 0053 ")])
        #expect(expression == "udp and ((ip6 src net 2001:db8::/120 and src port 53) or (ip6 dst net 2001:db8::/120 and dst port 53))")
    }

    @Test func sameSideOnBothEndsKeepsBothDirections() {
        let expression = BPFExpression.make(for: [PacketCaptureFilter(localIPAddress: "10.0.0.1", remoteIPAddress: "10.0.0.1")])
        #expect(expression == "(ip src host 10.0.0.1 and ip dst host 10.0.0.1) or (ip src host 10.0.0.1 and ip dst host 10.0.0.1)")
    }

    @Test func invalidFiltersFailClosed() {
        let invalid = PacketCaptureFilter(protocol: .tcp, localPort: "80; or ip")
        #expect(BPFExpression.make(for: [invalid]) == "less 0")
        #expect(BPFExpression.make(for: [invalid, PacketCaptureFilter(protocol: .udp)]) == "udp")
        #expect(BPFExpression.make(for: [invalid, PacketCaptureFilter()]) == nil)
    }

    @Test func userTextCannotInjectSyntax() throws {
        for attempt in ["10.0.0.1 or ip", "10.0.0.1) or (ip", "80 or 1=1", "tcp", "10.0.0.1\nor ip"] {
            #expect(throws: FilterError.self) {
                try FilterList.parse(json: #"[{"localIPAddress": "\#(attempt)", "localPort": "80"}]"#)
            }
        }
    }

    /// Every expression uses only the fixed vocabulary, with balanced parentheses.
    @Test func corpusExpressionsUseOnlyTheFixedVocabulary() throws {
        let keywords: Set<Substring> = ["tcp", "udp", "ip", "ip6", "src", "dst", "host", "net", "port", "portrange", "and", "or"]
        for filters in try ExpressionCorpus.filterLists() {
            guard let expression = BPFExpression.make(for: filters) else { continue }
            var depth = 0
            for character in expression {
                if character == "(" { depth += 1 }
                if character == ")" { depth -= 1 }
                #expect(depth >= 0)
            }
            #expect(depth == 0)
            let words = expression.split(whereSeparator: { " ()".contains($0) })
            for word in words where !keywords.contains(word) {
                #expect(word.allSatisfy { $0.isHexDigit || ":./-".contains($0) }, "unexpected token \(word)")
            }
        }
    }

    @Test func outputIsDeterministicAndOrderIndependentWithinAValue() {
        let first = BPFExpression.make(for: [PacketCaptureFilter(localIPAddress: "10.0.0.9;10.0.0.1", localPort: "443;80")])
        let second = BPFExpression.make(for: [PacketCaptureFilter(localIPAddress: "10.0.0.1, 10.0.0.9", localPort: "80,443")])
        #expect(first == second)
    }
}
