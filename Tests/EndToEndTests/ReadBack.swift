import Foundation
import TestSupport

/// Reads capture files back with the tools operators use, independently of pcapctl's own code.
enum ReadBack {
    /// Packets in `file` that match a tcpdump `expression`, as tcpdump counts them.
    static func tcpdumpCount(_ file: String, _ expression: String) throws -> Int {
        let result = try runCommand("/usr/bin/env", ["tcpdump", "-nn", "-r", file, expression])
        guard result.exitCode == 0 else { throw ReadBackError(message: "tcpdump failed: \(result.standardError)") }
        return result.standardOutput.split(separator: "\n").count
    }

    /// Every frame's captured and original length, as tshark reads them.
    static func frameLengths(_ file: String, displayFilter: String) throws -> [(captured: Int, original: Int)] {
        let result = try runCommand("/usr/bin/env", ["tshark", "-r", file, "-Y", displayFilter, "-T", "fields", "-e", "frame.cap_len", "-e", "frame.len"])
        guard result.exitCode == 0 else { throw ReadBackError(message: "tshark failed: \(result.standardError)") }
        return result.standardOutput.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t").compactMap { Int($0) }
            return fields.count == 2 ? (fields[0], fields[1]) : nil
        }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }

    /// The inode of a file (for namespaces: which namespace it is; for ring files: whether one was reused).
    static func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}

struct ReadBackError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Seconds between two of pcapctl's ISO 8601 timestamps (`2026-11-22T13:40:01.123Z`).
func secondsBetween(_ start: String, _ end: String) -> Double? {
    let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    guard let a = try? style.parse(start), let b = try? style.parse(end) else { return nil }
    return b.timeIntervalSince(a)
}
