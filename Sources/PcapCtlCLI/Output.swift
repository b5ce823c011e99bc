import ControlPlane
import FoundationEssentials
import Glibc

/// Where results and errors go: results to stdout in the chosen format, errors to stderr as one line.
public struct Output: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case json, jsonc, table, tsv, none
    }

    public var format: Format

    /// `-o/--output`'s values and default, as az's.
    static let formatField = ChoiceField("output", Format.allCases.map(\.rawValue), default: Format.json.rawValue)

    /// Columns a table shows for a resource, like PowerShell's view of a PacketCaptureResult.
    public static let resourceColumns = ["name", "provisioningState", "targetType", "bytesToCapturePerPacket", "totalBytesPerSession", "timeLimitInSeconds"]
    /// Columns a table shows for a status.
    public static let statusColumns = ["name", "packetCaptureStatus", "stopReason", "captureStartTime", "packetsCaptured", "packetsDropped", "bytesWritten"]

    /// Prints a result. JSON keeps az's shape; tsv shows the top-level scalar fields, as az does; a table
    /// shows `columns` when given (else the scalar fields).
    public func print<T: Encodable>(_ value: T, columns: [String]? = nil) {
        switch format {
        case .none: return
        case .json, .jsonc: Output.writeStandardOutput(JSON.encodeString(value) + "\n")
        case .table, .tsv:
            let tree = (try? JSONDecoder().decode(JSONValue.self, from: Data(JSON.encode(value, pretty: false)))) ?? .null
            let rows: [[String: JSONValue]]
            switch tree {
            case .array(let items): rows = items.compactMap { if case .object(let row) = $0 { row } else { nil } }
            case .object(let row): rows = [row]
            default: rows = []
            }
            Output.writeStandardOutput(format == .table ? Self.table(rows, columns: columns) : Self.tsv(rows))
        }
    }

    private static func scalarKeys(_ rows: [[String: JSONValue]]) -> [String] {
        guard let first = rows.first else { return [] }
        return first.filter { $0.value.isScalar }.keys.sorted()
    }

    private static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?, .array?, .object?: return ""
        case .number(let number)?: return number
        case .bool(let flag)?: return flag ? "true" : "false"
        case .string(let string)?: return String(string.map { $0 == "\t" || $0.isNewline ? " " : $0 })
        }
    }

    static func table(_ rows: [[String: JSONValue]], columns: [String]?) -> String {
        let keys = columns ?? scalarKeys(rows)
        guard !keys.isEmpty else { return "" }
        let headers = keys.map { $0.prefix(1).uppercased() + $0.dropFirst() }
        let cells = rows.map { row in keys.map { text(row[$0]) } }
        let widths = keys.indices.map { column in ([headers[column]] + cells.map { $0[column] }).map(\.count).max() ?? 0 }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(to: $1) }.joined(separator: "  ").trimmingSpaces + "\n"
        }
        return line(headers) + line(widths.map { String(repeating: "-", count: $0) }) + cells.map(line).joined()
    }

    static func tsv(_ rows: [[String: JSONValue]]) -> String {
        let keys = scalarKeys(rows)
        return rows.map { row in keys.map { text(row[$0]) }.joined(separator: "\t") + "\n" }.joined()
    }

    public static func writeStandardOutput(_ text: String) {
        write(text, to: STDOUT_FILENO)
    }

    /// One line on stderr, as `pcapctl: ...`: what happened besides the result (a kept file, a skipped record).
    public static func writeNotice(_ message: String) {
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        write("pcapctl: \(oneLine)\n", to: STDERR_FILENO)
    }

    /// One line on stderr, as `pcapctl: error: ...`.
    public static func writeError(_ message: String) {
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        write("pcapctl: error: \(oneLine)\n", to: STDERR_FILENO)
    }

    /// Writes the whole text with write(2), unbuffered, so nothing is lost if the process exits next and a
    /// line is never split between threads. A closed reader (EPIPE) ends the output quietly.
    private static func write(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// Any JSON value, for laying results out as table rows without knowing their type.
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    /// Kept as its text, so integers print as they were encoded.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            self = .number(String(integer))
        } else if let unsigned = try? container.decode(UInt64.self) {
            self = .number(String(unsigned))
        } else if let number = try? container.decode(Double.self) {
            self = .number(String(number))
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }
}
