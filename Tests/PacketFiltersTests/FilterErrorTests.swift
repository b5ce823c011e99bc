import Testing
import TestSupport
import PacketFilters

@Suite("Refused filters")
struct FilterErrorTests {
    private func message(_ json: String) -> String? {
        do throws(FilterError) {
            _ = try FilterList.parse(json: json)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("exact messages", arguments: [
        (#"[{}, {"localPort": "70000"}]"#, "filter 2: localPort: '70000' is above 65535"),
        (#"[{"remoteIPAddress": "1.1.1.1-255.255.255"}]"#,
         "filter 1: remoteIPAddress: '1.1.1.1-255.255.255': '255.255.255' is not an IPv4 or IPv6 address"),
        (#"[{}, {}, {"localIPAddress": "10.0.0.9-10.0.0.1"}]"#,
         "filter 3: localIPAddress: range '10.0.0.9-10.0.0.1' ends before it starts"),
        (#"[{"localIP": "10.0.0.1"}]"#,
         "filter 1: unknown key 'localIP' (expected protocol, localIPAddress, remoteIPAddress, localPort, remotePort)"),
        (#"[{"protocol": "ICMP"}]"#, "filter 1: protocol: 'ICMP' is not supported: protocol must be TCP, UDP or Any"),
        (#"[{"localPort": "-1"}]"#, "filter 1: localPort: '-1' is below 0"),
        (#"[{"localPort": -1}]"#, "filter 1: localPort: '-1' is below 0"),
        (#"[{"remotePort": "http"}]"#, "filter 1: remotePort: 'http' is not a port number"),
        (#"[{"remotePort": "1024-80"}]"#, "filter 1: remotePort: range '1024-80' ends before it starts"),
        (#"[{"remotePort": "80-99999"}]"#, "filter 1: remotePort: '80-99999': '99999' is above 65535"),
        (#"[{"localPort": "80;;443"}]"#, "filter 1: localPort: '80;;443' has an empty list item"),
        (#"[{"localPort": ";80"}]"#, "filter 1: localPort: ';80' has an empty list item"),
        (#"[{"localPort": ";"}]"#, "filter 1: localPort: ';' is an empty list"),
        (#"[{"localIPAddress": "10.0.0.256"}]"#,
         "filter 1: localIPAddress: '10.0.0.256' is not an IPv4 or IPv6 address (octet 256 is above 255)"),
        (#"[{"localIPAddress": "10.0.0.1-::1"}]"#, "filter 1: localIPAddress: range '10.0.0.1-::1' mixes IPv4 and IPv6"),
        (#"[{"localIPAddress": "10.0.0.1", "remoteIPAddress": "2001:db8::/32;fe80::1"}]"#,
         "filter 1: localIPAddress and remoteIPAddress have no address family in common "
            + "(IPv4 on one side, IPv6 on the other), so no packet can match"),
        (#"[{"localIPAddress": "10.0.0.5/24"}]"#,
         "filter 1: localIPAddress: '10.0.0.5/24' has host bits set (the block is 10.0.0.0/24)"),
        (#"[{"localIPAddress": "10.0.0.0/33"}]"#, "filter 1: localIPAddress: '10.0.0.0/33': prefix length 33 is above 32"),
        (#"[{"localIPAddress": "2001:db8::/129"}]"#,
         "filter 1: localIPAddress: '2001:db8::/129': prefix length 129 is above 128"),
        (#"[{"localIPAddress": "10.0.0.0/"}]"#, "filter 1: localIPAddress: '10.0.0.0/': prefix length '' is not a number"),
        (#"[{"localIPAddress": "10.0.0.1-"}]"#, "filter 1: localIPAddress: range '10.0.0.1-' has no end"),
        (#"[{"localIPAddress": 167772164}]"#, "filter 1: localIPAddress: must be a string, found the number 167772164"),
        (#"[{"localPort": 80.5}]"#, "filter 1: localPort: must be a string or a whole number, found the number 80.5"),
        (#"[{"localPort": 8e1}]"#, "filter 1: localPort: must be a string or a whole number, found the number 8e1"),
        (#"[{"localPort": ["80"]}]"#, "filter 1: localPort: must be a string or a whole number, found a list"),
        (#"[{"protocol": true}]"#, "filter 1: protocol: must be a string, found true"),
        (#"[{"localPort": "80", "local_port": "81"}]"#, "filter 1: localPort is given twice (as 'localPort' and 'local_port')"),
        (#"[{}, "TCP"]"#, "filter 2: must be a JSON object, found a string"),
        (#"[null]"#, "filter 1: must be a JSON object, found null"),
        (#"{"protocol": "TCP"}"#, "filters must be a JSON list of objects, found an object (put a single filter in [ ])"),
        (#""TCP""#, "filters must be a JSON list of objects, found a string"),
        ("[{\"protocol\": \"TCP\",}]", "invalid JSON at line 1, column 21: expected a quoted key"),
        ("[\n  {\"protocol\": TCP}\n]", "invalid JSON at line 2, column 16: expected a value"),
        ("", "invalid JSON at line 1, column 1: expected a value, found the end of the text"),
    ])
    func exactMessage(json: String, expected: String) {
        #expect(message(json) == expected)
    }

    @Test("every malformed address is refused", arguments: [
        "10.0.0", "10.0.0.0.1", "10.0.0.-1", "010.0.0.1", "10.0.0.01", "1.2.3.4x", "x1.2.3.4", "1.2.3.4 5",
        "256.1.1.1", "10.0.0.1/24/1", "10.0.0.0/-1", "10.0.0.0/ 8x", "10.0.0.1--10.0.0.2", "10.0.0.1-10.0.0.2-10.0.0.3",
        "-10.0.0.1", "10.0.0.0/24-10.0.1.0/24", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "1:2:3:4:5:6:7", "12345::1",
        "fe80::1%eth0", "[::1]", "::ffff:1.2.3", "1.2.3.4::", "g::1", "::+1", "localhost", "*", "10.0.0.*", "１0.0.0.1",
    ])
    func malformedAddress(value: String) {
        #expect(throws: FilterError.self) { try FilterList.parse(json: #"[{"localIPAddress": "\#(value)"}]"#) }
    }

    @Test("every malformed port is refused", arguments: [
        "65536", "99999999999999999999999999", "-0", "+80", "0x50", "80.0", "80a", "a80", "8 0", "80-", "-", "80--90",
        "80-90-100", "443-80", "８０", ",", "80,,443", ",80", "80;;", "http",
    ])
    func malformedPort(value: String) {
        #expect(throws: FilterError.self) { try FilterList.parse(json: #"[{"remotePort": "\#(value)"}]"#) }
    }

    @Test("malformed documents are refused", arguments: [
        "[", "]", "[{]", "[{}", "[{}]]", "[{} {}]", "[{\"protocol\" \"TCP\"}]", "[{'protocol': 'TCP'}]",
        "[{\"protocol\": \"TCP\"}] x", "[01]", "[1.]", "[1e]", "[-]", "[\"\\x\"]", "[\"\\ud800\"]", "[\"\\udc00\"]",
        "[\"a\nb\"]", "[tru]", "nul", "[{\"localPort\": 80}, ]", "[[[]]]", "[{\"localPort\": {}}]", "[1]", "null", "true",
    ])
    func malformedDocument(json: String) {
        #expect(throws: FilterError.self) { try FilterList.parse(json: json) }
    }

    @Test func tooManyFilters() {
        let json = "[" + Array(repeating: "{}", count: 101).joined(separator: ",") + "]"
        #expect(message(json) == "too many filters: 101 (at most 100)")
        #expect(throws: FilterError(message: "too many filters: 101 (at most 100)")) {
            try FilterList.validate(Array(repeating: PacketCaptureFilter(), count: 101))
        }
    }

    @Test func conditionsAreCappedOverTheWholeList() throws {
        // The worst IPv6 range needs 254 blocks; two more conditions fit, a third does not.
        let worst = "::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"
        let fits = [PacketCaptureFilter(localIPAddress: worst), PacketCaptureFilter(localPort: "80;443")]
        try FilterList.validate(fits)
        let expected = FilterError(message: "the filters need more than 256 address blocks and port ranges in total "
            + "(passed at filter 3); use CIDR blocks, wider port ranges or fewer filters")
        #expect(throws: expected) { try FilterList.validate(fits + [PacketCaptureFilter(remotePort: "22")]) }
        let json = #"[{"localIPAddress": "\#(worst)"}, {"localPort": "80;443"}, {"remotePort": 22}]"#
        #expect(message(json) == expected.message)
        // 256 separate ports in one value are exactly at the limit.
        let ports = (1...256).map { String($0 * 2) }.joined(separator: ";")
        try FilterList.validate([PacketCaptureFilter(protocol: .tcp, localPort: ports)])
    }

    @Test func deepNestingIsRefusedWithoutRecursingFurther() {
        let json = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(message(json) == "invalid JSON at line 1, column 33: nested more than 32 levels deep")
    }

    @Test func validateNamesPositionAndField() {
        let filters = [PacketCaptureFilter(protocol: .tcp), PacketCaptureFilter(remoteIPAddress: "10.0.0.300")]
        #expect(throws: FilterError(message:
            "filter 2: remoteIPAddress: '10.0.0.300' is not an IPv4 or IPv6 address (octet 300 is above 255)")) {
            try FilterList.validate(filters)
        }
    }

    @Test func messagesStayOnOneLine() {
        #expect(message(#"[{"localPort": "80\nx"}]"#) == #"filter 1: localPort: '80\u{a}x' is not a port number"#)
        #expect(message(#"[{"local\u2028Port": "80"}]"#)?.hasPrefix(#"filter 1: unknown key 'local\u{2028}Port'"#) == true)
        #expect(message(#"[{"protocol": "TCP\u202e"}]"#)
            == #"filter 1: protocol: 'TCP\u{202e}' is not supported: protocol must be TCP, UDP or Any"#)
    }

    @Test func longValuesAreCutShortInMessages() {
        let ports = (1...50).map(String.init).joined(separator: ";") + ";;"
        let text = message(#"[{"localPort": "\#(ports)"}]"#) ?? ""
        #expect(text == "filter 1: localPort: '\(ports.prefix(80))...' has an empty list item")
    }

    @Test func errorDescriptionIsTheMessage() {
        let error = FilterError(message: "filter 1: localPort: 'x' is not a port number")
        #expect(error.description == error.message)
        #expect("\(error)" == "filter 1: localPort: 'x' is not a port number")
    }

    @Test func randomTextNeverCrashesTheParser() {
        var generator = SeededGenerator(seed: 7)
        let alphabet = Array(#"[]{}:,"\ -/;.0123456789abcdefxu:localPortIPAddressprotocolTCP"#) + ["\u{0}", "é", "\n"]
        for _ in 0..<3000 {
            let length = Int.random(in: 0...40, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? " " })
            _ = try? FilterList.parse(json: text)
            _ = try? FilterList.parse(json: #"[{"localIPAddress": "\#(text)", "localPort": "\#(text)"}]"#)
        }
    }
}
