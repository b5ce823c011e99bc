import CaptureEngine
import Foundation
import PcapFormat
import Testing
import TestSupport

/// The writer on its own: exact byte limit, time limit by packet stamp, whole records, private files.
struct CaptureFileWriterTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "pcapctl-writer-\(UUID().uuidString).cap"
    }

    func append(_ writer: CaptureFileWriter, size: Int, seconds: Int = 1_700_000_000) -> Bool {
        let bytes = [UInt8](repeating: 0xab, count: size)
        return bytes.withUnsafeBufferPointer {
            writer.append(seconds: seconds, microseconds: 5, capturedLength: UInt32(size), originalLength: UInt32(size + 10), bytes: $0.baseAddress!)
        }
    }

    @Test func writesAFileThatDecodesRecordForRecord() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let writer = try CaptureFileWriter(path: path, linkType: 1, snapshotLength: 96, byteLimit: 0)
        for size in [60, 96, 1, 0] { #expect(append(writer, size: size)) }
        writer.finish()
        let file = try PcapDecoder.read(contentsOf: URL(fileURLWithPath: path))
        #expect(file.header.linkType == 1 && file.header.snaplen == 96)
        #expect(file.records.map(\.caplen) == [60, 96, 1, 0])
        #expect(file.records.allSatisfy { $0.origLen == $0.caplen + 10 && $0.timestampSeconds == 1_700_000_000 })
        #expect(writer.bytesWritten == UInt64(24 + 4 * 16 + 157))
        #expect(((try FileManager.default.attributesOfItem(atPath: path))[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test(arguments: [24, 100, 139, 140, 141, 1000])
    func theByteLimitIsNeverCrossed(limit: Int) throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let writer = try CaptureFileWriter(path: path, linkType: 1, snapshotLength: 100, byteLimit: UInt64(limit))
        var accepted = 0
        while append(writer, size: 100) { accepted += 1 }
        writer.finish()
        let size = ((try FileManager.default.attributesOfItem(atPath: path))[.size] as? NSNumber)?.intValue ?? -1
        #expect(size <= limit)
        #expect(size + 116 > limit, "stopped early: \(size) of \(limit)")
        #expect(size == 24 + accepted * 116)
        #expect(writer.reachedByteLimit)
        #expect(!append(writer, size: 0), "nothing is accepted once the limit is reached")
    }

    @Test func packetsStampedAfterTheDeadlineAreRefused() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let deadline = Int64(1_700_000_010) * 1_000_000
        let writer = try CaptureFileWriter(path: path, linkType: 1, snapshotLength: 100, byteLimit: 0, deadlineMicroseconds: deadline)
        #expect(append(writer, size: 10, seconds: 1_700_000_009))
        #expect(!append(writer, size: 10, seconds: 1_700_000_010))
        #expect(writer.reachedTimeLimit)
        #expect(writer.packetsWritten == 1)
    }

    @Test func flushedBytesReachTheFileBeforeFinish() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let writer = try CaptureFileWriter(path: path, linkType: 1, snapshotLength: 100, byteLimit: 0, flushThreshold: 1 << 20)
        for _ in 0..<10 { _ = append(writer, size: 50) }
        #expect(((try FileManager.default.attributesOfItem(atPath: path))[.size] as? NSNumber)?.intValue == 24)
        writer.flush()
        #expect(((try FileManager.default.attributesOfItem(atPath: path))[.size] as? NSNumber)?.intValue == 24 + 10 * 66)
        #expect(writer.packetsFlushed == 10 && writer.bytesFlushed == 684)
    }

    @Test func theBufferGoesOutInWritesOfAtMostTheThreshold() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let writer = try CaptureFileWriter(path: path, linkType: 1, snapshotLength: 400, byteLimit: 0, flushThreshold: 200)
        func fileSize() throws -> Int? { ((try FileManager.default.attributesOfItem(atPath: path))[.size] as? NSNumber)?.intValue }
        for _ in 0..<3 { #expect(append(writer, size: 50)) }
        #expect(try fileSize() == 24)
        // The fourth 66-byte record would take the buffer past 200 bytes: the first three go out first.
        #expect(append(writer, size: 50))
        #expect(try fileSize() == 24 + 3 * 66)
        // A record larger than the threshold on its own is still taken whole.
        #expect(append(writer, size: 300))
        #expect(try fileSize() == 24 + 4 * 66)
        writer.finish()
        #expect(try fileSize() == 24 + 4 * 66 + 316)
    }

    @Test func anExistingFileIsNeverOverwritten() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data("keep".utf8))
        #expect(throws: CaptureError.self) { try CaptureFileWriter(path: path, linkType: 1, snapshotLength: 100, byteLimit: 0) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep")
    }
}
