import Testing
@testable import PacketFilters

@Suite("BPF expressions")
struct BPFExpressionTests {
    @Test("golden expressions", arguments: ExpressionCorpus.golden)
    func golden(json: String, expression: String?) throws {
        #expect(BPFExpression.make(for: try FilterList.parse(json: json), on: .interface) == expression)
    }

    @Test func emptyListCapturesEverything() {
        #expect(BPFExpression.make(for: [], on: .interface) == nil)
    }

    @Test func addressesAlwaysNameTheirFamily() throws {
        // A bare `src host 10.0.0.4` would also match ARP packets from 10.0.0.4.
        let expression = BPFExpression.make(for: [PacketCaptureFilter(localIPAddress: "10.0.0.4;2001:db8::4")], on: .interface)
        #expect(expression == "(ip src host 10.0.0.4 or ip6 src host 2001:db8::4) or (ip dst host 10.0.0.4 or ip6 dst host 2001:db8::4)")
    }

    @Test func anyWithPortsMeansTCPOrUDP() throws {
        let expression = BPFExpression.make(for: [PacketCaptureFilter(protocol: .any, remotePort: "443")], on: .interface)
        #expect(expression == "(tcp or udp) and (dst port 443 or src port 443)")
    }

    @Test func ipv6RangeBecomesExactBlocks() {
        let expression = BPFExpression.make(for: [PacketCaptureFilter(protocol: .tcp, remoteIPAddress: "2001:db8::1-2001:db8::4")], on: .interface)
        #expect(expression == "tcp and ((ip6 dst host 2001:db8::1 or ip6 dst net 2001:db8::2/127 or ip6 dst host 2001:db8::4)"
            + " or (ip6 src host 2001:db8::1 or ip6 src net 2001:db8::2/127 or ip6 src host 2001:db8::4))")
    }

    @Test func valuesAreRewrittenFromTheirTypedForm() {
        // Leading zeros, spaces, upper case and CIDR spellings never reach the expression as typed.
        let expression = BPFExpression.make(for: [PacketCaptureFilter(
            protocol: .udp, localIPAddress: " 2001:DB8:0:0::0/120 ", localPort: " 0053 ")], on: .interface)
        #expect(expression == "udp and ((ip6 src net 2001:db8::/120 and src port 53) or (ip6 dst net 2001:db8::/120 and dst port 53))")
    }

    @Test func sameSideOnBothEndsKeepsBothDirections() {
        let expression = BPFExpression.make(for: [PacketCaptureFilter(localIPAddress: "10.0.0.1", remoteIPAddress: "10.0.0.1")], on: .interface)
        #expect(expression == "(ip src host 10.0.0.1 and ip dst host 10.0.0.1) or (ip src host 10.0.0.1 and ip dst host 10.0.0.1)")
    }

    /// On `any` the cooked header tells sent from received, so the sides are exact; loopback fits either way.
    @Test func onTheAnyDeviceTheTargetsSideIsExact() throws {
        let loopback = "(ip src net 127.0.0.0/8 or ip[12:4] = ip[16:4] or (ip6[8:4] = ip6[24:4] and ip6[12:4] = ip6[28:4]"
            + " and ip6[16:4] = ip6[32:4] and ip6[20:4] = ip6[36:4]))"
        let local = BPFExpression.make(for: [PacketCaptureFilter(protocol: .tcp, localPort: "8080")], on: .any)
        #expect(local == "tcp and ((outbound and src port 8080) or (inbound and dst port 8080) or (\(loopback) and src port 8080))")
        let remote = BPFExpression.make(for: [PacketCaptureFilter(protocol: .tcp, remotePort: "8080")], on: .any)
        #expect(remote == "tcp and ((outbound and dst port 8080) or (inbound and src port 8080) or (\(loopback) and dst port 8080))")
        let addressed = BPFExpression.make(for: [PacketCaptureFilter(protocol: .udp, localIPAddress: "10.0.0.4", remotePort: "53")], on: .any)
        #expect(addressed == "udp and ((outbound and ip src host 10.0.0.4 and dst port 53) or (inbound and ip dst host 10.0.0.4 and src port 53)"
            + " or (\(loopback) and ip src host 10.0.0.4 and dst port 53))")
        // Without sides there is no direction to choose.
        #expect(BPFExpression.make(for: [PacketCaptureFilter(protocol: .udp)], on: .any) == "udp")
        #expect(BPFExpression.make(for: [PacketCaptureFilter()], on: .any) == nil)
    }

    @Test func invalidFiltersFailClosed() {
        let invalid = PacketCaptureFilter(protocol: .tcp, localPort: "80; or ip")
        #expect(BPFExpression.make(for: [invalid], on: .interface) == "less 0")
        #expect(BPFExpression.make(for: [invalid, PacketCaptureFilter(protocol: .udp)], on: .interface) == "udp")
        #expect(BPFExpression.make(for: [invalid, PacketCaptureFilter()], on: .interface) == nil)
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
            guard let expression = BPFExpression.make(for: filters, on: .interface) else { continue }
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
        let first = BPFExpression.make(for: [PacketCaptureFilter(localIPAddress: "10.0.0.9;10.0.0.1", localPort: "443;80")], on: .interface)
        let second = BPFExpression.make(for: [PacketCaptureFilter(localIPAddress: "10.0.0.1, 10.0.0.9", localPort: "80,443")], on: .interface)
        #expect(first == second)
    }
}
