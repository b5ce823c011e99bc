import ControlPlane
import Foundation
import Glibc

/// Where results and errors go: results to stdout in the chosen format, errors to stderr as one line.
public struct Output: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case json, jsonc, table, tsv, none
    }

    public var format: Format

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
            let tree = (try? JSONSerialization.jsonObject(with: Data(JSON.encode(value, pretty: false)), options: [.fragmentsAllowed])) ?? NSNull()
            let rows: [[String: Any]] = (tree as? [[String: Any]]) ?? ((tree as? [String: Any]).map { [$0] } ?? [])
            Output.writeStandardOutput(format == .table ? Self.table(rows, columns: columns) : Self.tsv(rows))
        }
    }

    private static func scalarKeys(_ rows: [[String: Any]]) -> [String] {
        guard let first = rows.first else { return [] }
        return first.keys.filter { key in !(first[key] is [Any]) && !(first[key] is [String: Any]) }.sorted()
    }

    private static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return ""
        case let number as NSNumber: return number.stringValue
        case let string as String: return string.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
        default: return "\(value!)"
        }
    }

    static func table(_ rows: [[String: Any]], columns: [String]?) -> String {
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

    static func tsv(_ rows: [[String: Any]]) -> String {
        let keys = scalarKeys(rows)
        return rows.map { row in keys.map { text(row[$0]) }.joined(separator: "\t") + "\n" }.joined()
    }

    public static func writeStandardOutput(_ text: String) {
        write(text, to: STDOUT_FILENO)
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
