import Testing
@testable import PacketFilters

@Suite("Parsing filter lists")
struct FilterListParsingTests {
    @Test("every key spelling az accepts maps to the canonical field", arguments: [
        "localIPAddress", "localIpAddress", "local_ip_address", "local-ip-address", "LOCAL_IP_ADDRESS", "LocalIPAddress",
    ])
    func keySpellings(key: String) throws {
        let filters = try FilterList.parse(json: #"[{"\#(key)": "10.0.0.4"}]"#)
        #expect(filters == [PacketCaptureFilter(localIPAddress: "10.0.0.4")])
    }

    @Test func allFiveKeysInSnakeAndKebabCase() throws {
        let json = #"""
            [{"protocol": "TCP", "remote_ip_address": "10.0.0.5", "local-port": "80",
              "remote_port": "1024-65535", "local-IP-address": "10.0.0.4"}]
            """#
        let expected = PacketCaptureFilter(
            protocol: .tcp, localIPAddress: "10.0.0.4", remoteIPAddress: "10.0.0.5",
            localPort: "80", remotePort: "1024-65535")
        #expect(try FilterList.parse(json: json) == [expected])
    }

    @Test("protocol is case-insensitive", arguments: [
        ("TCP", FilterProtocol.tcp), ("tcp", .tcp), ("Tcp", .tcp), ("udp", .udp), ("UDP", .udp),
        ("any", .any), ("ANY", .any), ("Any", .any), (" tcp ", .tcp),
    ])
    func protocolCase(text: String, expected: FilterProtocol) throws {
        #expect(try FilterList.parse(json: #"[{"protocol": "\#(text)"}]"#) == [PacketCaptureFilter(protocol: expected)])
    }

    @Test func protocolDefaultsToAny() throws {
        #expect(try FilterList.parse(json: #"[{"localPort": "80"}]"#) == [PacketCaptureFilter(protocol: .any, localPort: "80")])
        #expect(try FilterList.parse(json: #"[{"protocol": null}]"#) == [PacketCaptureFilter()])
        #expect(try FilterList.parse(json: #"[{"protocol": ""}]"#) == [PacketCaptureFilter()])
    }

    @Test func nullAndEmptyStringMeanUnset() throws {
        let json = #"[{"localIPAddress": null, "remoteIPAddress": "", "localPort": "  ", "remotePort": null}]"#
        #expect(try FilterList.parse(json: json) == [PacketCaptureFilter()])
    }

    @Test func portsMayBeJSONIntegers() throws {
        let filters = try FilterList.parse(json: #"[{"protocol": "TCP", "localPort": 80, "remotePort": 0}]"#)
        #expect(filters == [PacketCaptureFilter(protocol: .tcp, localPort: "80", remotePort: "0")])
    }

    @Test func valuesAreKeptAsWrittenButTrimmed() throws {
        let filters = try FilterList.parse(json: #"[{"localPort": " 80, 443 ", "remoteIPAddress": "\t10.0.0.1-10.0.0.9;\n"}]"#)
        #expect(filters == [PacketCaptureFilter(remoteIPAddress: "10.0.0.1-10.0.0.9;", localPort: "80, 443")])
    }

    @Test func emptyListIsAllowedAndMeansEverything() throws {
        #expect(try FilterList.parse(json: "[]") == [])
        #expect(try FilterList.parse(json: " \n[ ]\n") == [])
    }

    @Test func byteOrderMarkIsIgnored() throws {
        #expect(try FilterList.parse(json: "\u{FEFF}[{\"protocol\": \"UDP\"}]") == [PacketCaptureFilter(protocol: .udp)])
    }

    @Test func orderOfFiltersIsKept() throws {
        let filters = try FilterList.parse(json: #"[{"protocol": "UDP"}, {"protocol": "TCP"}, {}]"#)
        #expect(filters.map(\.protocol) == [.udp, .tcp, .any])
    }

    @Test func escapedCharactersInValuesAreDecoded() throws {
        let filters = try FilterList.parse(json: #"[{"local\u005fport": "\u0038\u0030"}]"#)
        #expect(filters == [PacketCaptureFilter(localPort: "80")])
    }

    @Test func exactlyTheLimitsAreAccepted() throws {
        let hundred = "[" + Array(repeating: #"{"protocol": "TCP"}"#, count: FilterList.maximumFilters).joined(separator: ",") + "]"
        #expect(try FilterList.parse(json: hundred).count == 100)
        let ports = (1...ValueList.maximumItems).map(String.init).joined(separator: ";")
        #expect(try FilterList.parse(json: #"[{"localPort": "\#(ports)"}]"#).count == 1)
    }

    @Test func validateAcceptsWhatParseProduces() throws {
        for json in ExpressionCorpus.golden.map(\.json) {
            try FilterList.validate(try FilterList.parse(json: json))
        }
        for filters in try ExpressionCorpus.filterLists() {
            try FilterList.validate(filters)
        }
    }

    @Test func validateTreatsEmptyStringsAsUnset() throws {
        try FilterList.validate([PacketCaptureFilter(localIPAddress: "", localPort: " ")])
    }
}
