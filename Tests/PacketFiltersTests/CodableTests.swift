import Foundation
import Testing
import PacketFilters

@Suite("Codable form")
struct CodableTests {
    private func encoded(_ filters: [PacketCaptureFilter]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(filters), as: UTF8.self)
    }

    @Test func unsetFieldsAreOmitted() throws {
        let json = try encoded([PacketCaptureFilter(protocol: .tcp, localPort: "80")])
        #expect(json == #"[{"localPort":"80","protocol":"TCP"}]"#)
    }

    @Test func allFieldsUseCanonicalKeys() throws {
        let filter = PacketCaptureFilter(
            protocol: .udp, localIPAddress: "10.0.0.4", remoteIPAddress: "::1", localPort: "53", remotePort: "1024-65535")
        #expect(try encoded([filter]) == #"[{"localIPAddress":"10.0.0.4","localPort":"53","protocol":"UDP","#
            + #""remoteIPAddress":"::1","remotePort":"1024-65535"}]"#)
    }

    @Test func protocolAnyIsWrittenAsAzureSpellsIt() throws {
        #expect(try encoded([PacketCaptureFilter()]) == #"[{"protocol":"Any"}]"#)
    }

    @Test func roundTripsThroughTheStoreForm() throws {
        let filters = try FilterList.parse(json: #"[{"protocol": "tcp", "local_ip_address": "10.0.0.0/24", "localPort": 80}, {}]"#)
        let decoded = try JSONDecoder().decode([PacketCaptureFilter].self, from: Data(try encoded(filters).utf8))
        #expect(decoded == filters)
        try FilterList.validate(decoded)
    }

    @Test func missingProtocolDecodesAsAny() throws {
        let decoded = try JSONDecoder().decode([PacketCaptureFilter].self, from: Data(#"[{"remotePort":"443"}]"#.utf8))
        #expect(decoded == [PacketCaptureFilter(protocol: .any, remotePort: "443")])
    }

    @Test func parsedOutputReencodesAsTheCanonicalForm() throws {
        let filters = try FilterList.parse(json: #"[{"PROTOCOL": "udp", "remote-port": 53, "localIpAddress": ""}]"#)
        #expect(try encoded(filters) == #"[{"protocol":"UDP","remotePort":"53"}]"#)
    }
}
