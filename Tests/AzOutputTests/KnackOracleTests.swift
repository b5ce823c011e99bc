import AzOutput
import Foundation
import JMESPath
import OrderedJSON
import Testing
import TestSupport

/// az's formatters (knack 0.14.0 from PyPI, pinned in scripts/install-deps.sh), one python3 process per batch.
enum KnackOracle {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Oracle/knack_oracle.py").path

    struct Request {
        var format: AzOutputFormat
        var document: JSONValue
        var query: String?
    }

    static func render(_ requests: [Request]) throws -> [String] {
        let input = requests.map { request in
            JSONWriter.compact.string(.object([
                ("format", .string(request.format.rawValue)), ("document", request.document),
                ("query", request.query.map(JSONValue.string) ?? .null),
            ])) + "\n"
        }.joined()
        let run = try runCommand("/usr/bin/env", ["python3", script], standardInput: input)
        guard run.exitCode == 0 else { throw KnackFailure(message: "knack oracle exited \(run.exitCode): \(run.standardError)") }
        return try run.standardOutput.split(separator: "\n").map { line in
            guard case .string(let text) = try JSONReader.parse(String(line)) else { throw KnackFailure(message: "not a string: \(line)") }
            return text
        }
    }
}

struct KnackFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// pcapctl's rendering of a request, as the CLI does it: the query first, then the renderer.
func pcapctlRender(_ request: KnackOracle.Request, colour: Bool = false) throws -> String {
    var value = request.document
    if let query = request.query { value = try JMESPathExpression(query).search(value) }
    return AzRenderer(format: request.format, queryActive: request.query != nil, colour: colour).render(value)
}

@Suite("az's renderers, byte for byte against knack")
struct KnackOracleTests {
    static let resource = #"""
    {"bytesToCapturePerPacket": 0, "etag": "W/\"1f2e\"", "filters": [{"localPort": "80;443", "protocol": "TCP"}],
     "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Network/networkWatchers/NetworkWatcher_local/packetCaptures/cap1",
     "name": "cap1", "provisioningState": "Succeeded", "resourceGroup": "local", "scope": {"exclude": [], "include": []},
     "storageLocation": {"filePath": "/var/captures/cap1.cap"}, "target": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Compute/virtualMachines/ns1",
     "targetType": "AzureVM", "timeLimitInSeconds": 18000, "totalBytesPerSession": 1073741824}
    """#
    static let running = #"""
    {"bytesWritten": 24, "captureStartTime": "2026-12-01T20:55:21.123Z", "files": ["/var/captures/cap1.cap"],
     "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Network/networkWatchers/NetworkWatcher_local/packetCaptures/cap1",
     "name": "cap1", "packetCaptureError": [], "packetCaptureStatus": "Running", "packetsCaptured": 0, "packetsDropped": 0,
     "packetsDroppedByInterface": 0, "packetsReceived": 0, "resourceGroup": "local", "agentPid": 4242}
    """#
    static let stopped = #"""
    {"bytesWritten": 123456, "captureStartTime": "2026-12-01T20:55:21.123Z", "captureStopTime": "2026-12-01T20:56:21.456Z",
     "errorMessage": "the destination /var/captures/cap1.cap could not be written: No space left on device (errno 28); the packets stay in the state directory until the capture is deleted",
     "files": ["/var/captures/cap1.cap"],
     "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Network/networkWatchers/NetworkWatcher_local/packetCaptures/cap1",
     "name": "cap1", "packetCaptureError": ["LocalFileFailed"], "packetCaptureStatus": "Stopped", "packetsCaptured": 1000,
     "packetsDropped": 2, "packetsDroppedByInterface": 0, "packetsReceived": 1002, "resourceGroup": "local", "stopReason": "LocalFileFailed"}
    """#

    static var fixtures: [(name: String, document: JSONValue, query: String?)] {
        let resource = try! JSONReader.parse(resource), running = try! JSONReader.parse(running), stopped = try! JSONReader.parse(stopped)
        var second = resource
        if case .object(var members) = second {
            members = members.map { $0.key == "name" ? ($0.key, "web-capture-2") : $0 }
            second = .object(members)
        }
        return [
            ("resource", resource, nil), ("status running", running, nil), ("status stopped", stopped, nil),
            ("list", .array([resource, second]), nil), ("empty list", .array([]), nil),
            ("scalar query", running, "packetCaptureStatus"), ("list of scalars query", stopped, "[packetCaptureStatus, stopReason]"),
            ("null in a list query", running, "[packetCaptureStatus, stopReason]"),
            ("hash query", stopped, "{status: packetCaptureStatus, packets: packetsCaptured, errors: packetCaptureError}"),
            ("projection query", .array([resource, second]), "[].{name: name, limit: timeLimitInSeconds}"),
            ("number query", stopped, "packetsCaptured"), ("boolean query", stopped, "packetsDropped > `1`"),
            ("object query", resource, "storageLocation"), ("length query", resource, "length(filters)"),
        ]
    }

    @Test(arguments: [AzOutputFormat.json, .jsonc, .yaml, .table, .tsv])
    func pcapctlResultsRenderAsAzRendersThem(format: AzOutputFormat) throws {
        let requests = Self.fixtures.map { KnackOracle.Request(format: format, document: $0.document, query: $0.query) }
        let expected = try KnackOracle.render(requests)
        for (index, request) in requests.enumerated() {
            let colour = format == .jsonc
            let actual = try pcapctlRender(request, colour: colour)
            #expect(actual == expected[index], "\(format) of \(Self.fixtures[index].name):\n--- pcapctl\n\(actual)--- az\n\(expected[index])")
        }
        print("AzOutput \(format): \(requests.count) fixtures compared byte for byte")
    }

    @Test(arguments: [AzOutputFormat.json, .yaml, .table, .tsv])
    func generatedDocumentsRenderAsAzRendersThem(format: AzOutputFormat) throws {
        var generator = DocumentGenerator(seed: 7 + UInt64(format.rawValue.count))
        let requests = (0..<1000).map { index in
            KnackOracle.Request(format: format, document: generator.document(), query: index % 4 == 3 ? generator.query() : nil)
        }
        let expected = try KnackOracle.render(requests)
        var failures: [String] = []
        for (index, request) in requests.enumerated() {
            let actual = try pcapctlRender(request)
            if actual != expected[index] {
                failures.append("\(request.document) query \(request.query ?? "-"):\n--- pcapctl\n\(actual)--- az\n\(expected[index])")
            }
        }
        print("AzOutput generated \(format): \(requests.count) compared, \(requests.count - failures.count) identical")
        #expect(failures.isEmpty, "\(failures.count) differ; first:\n\(failures.prefix(5).joined(separator: "\n"))")
    }
}

/// Random result-like documents: objects of scalars, lists and nested objects, with strings that exercise
/// quoting, folding and column widths.
struct DocumentGenerator {
    private var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    private mutating func next(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &random) }

    static let keys = ["name", "id", "type", "etag", "status", "count", "bytes", "zeta", "Alpha", "tags", "a", "é", "when"]
    static let strings = [
        "", "Running", "yes", "no", "null", "~", "10", "1.5", "0x1F", "0o17", "1:20", "2026-12-01", "2026-12-01T20:55:21Z",
        "a: b", "- x", "#c", "x #c", "it's", "say \"hi\"", " lead", "trail ", "two  spaces", "line\nbreak", "tab\there",
        "é中", "ünïcode text", "@home", "%p", "`tick`", "[x]", "{y}", "*star", "&amp", "!bang", "|pipe", ">gt", "?q", ": colon",
        String(repeating: "word ", count: 20), String(repeating: "longword-", count: 12) + " and more " + String(repeating: "x", count: 30),
        "The capture's destination could not be written: No space left on device; the packets stay in the state directory.",
    ]
    static let numbers = ["0", "1", "-1", "42", "18000", "1073741824", "1.5", "-0.25", "1e20", "3.0", "1e-7"]

    mutating func scalar() -> JSONValue {
        switch next(10) {
        case 0: .null
        case 1: .bool(next(2) == 0)
        case 2, 3: .number(Self.numbers[next(Self.numbers.count)])
        default: .string(Self.strings[next(Self.strings.count)])
        }
    }

    mutating func value(depth: Int) -> JSONValue {
        let roll = next(10)
        if depth >= 3 || roll < 6 { return scalar() }
        if roll < 8 { return .array((0..<next(4)).map { _ in value(depth: depth + 1) }) }
        return object(depth: depth + 1)
    }

    /// Keys in sorted order, as pcapctl's encoder writes them.
    mutating func object(depth: Int) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        for key in Self.keys where next(3) == 0 { members.append((key, value(depth: depth))) }
        members.sort { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
        return .object(members)
    }

    mutating func document() -> JSONValue {
        switch next(6) {
        case 0: scalar()
        case 1, 2: .array((0..<next(4)).map { _ in next(3) == 0 ? value(depth: 1) : object(depth: 1) })
        default: object(depth: 0)
        }
    }

    mutating func query() -> String {
        ["@", "[0]", "name", "{n: name, s: status, c: count}", "[name, status]", "[].name", "[].{s: status, n: name}", "tags", "not_null(name, status)", "*"][next(10)]
    }
}
