import CaptureEngine
import Foundation
import Glibc
import PcapFormat
import SystemCalls
import Testing
import TestSupport

/// The writer's failure paths, reached without root or a full disk: the syscall layer makes its write,
/// or its fsync, fail on cue.
struct WriterFailureTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "pcapctl-writer-failure-\(UUID().uuidString).cap"
    }

    func append(_ writer: CaptureFileWriter, size: Int) -> Bool {
        let bytes = [UInt8](repeating: 0x5a, count: size)
        return bytes.withUnsafeBufferPointer {
            writer.append(seconds: 1_700_000_000, microseconds: 0, capturedLength: UInt32(size), originalLength: UInt32(size), bytes: $0.baseAddress!)
        }
    }

    @Test func aFullDiskKeepsEveryRecordFlushedBeforeIt() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        defer { FailureInjection.disarm() }
        let writer = try CaptureFileWriter(path: path, linkType: 1, snapshotLength: 2000, byteLimit: 0)
        // The header went out in init; the next flush is allowed, the one after fails as a full disk would.
        FailureInjection.arm(.write, errno: ENOSPC, after: 1)
        var accepted = 0
        while accepted < 5000, append(writer, size: 1000) { accepted += 1 }
        #expect(writer.writeError == ENOSPC)
        #expect(!append(writer, size: 10), "nothing is accepted after a failed write")
        writer.finish()
        let file = try PcapDecoder.read(contentsOf: URL(fileURLWithPath: path))
        #expect(UInt64(file.records.count) == writer.packetsFlushed)
        #expect(file.records.count > 0 && file.records.count < accepted)
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value
        #expect(size == writer.bytesFlushed)
        #expect(writer.bytesWritten == writer.bytesFlushed, "the counters show what the file holds")
    }

    @Test func aFailedFsyncAtTheEndIsReported() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        defer { FailureInjection.disarm() }
        let writer = try CaptureFileWriter(path: path, linkType: 1, snapshotLength: 100, byteLimit: 0)
        #expect(append(writer, size: 50))
        FailureInjection.arm(.fsync, errno: EIO)
        writer.finish()
        #expect(writer.writeError == EIO)
        #expect(try PcapDecoder.read(contentsOf: URL(fileURLWithPath: path)).records.count == 1)
    }

    @Test func aFileThatCannotBeCreatedNamesTheReason() {
        defer { FailureInjection.disarm() }
        FailureInjection.arm(.open, errno: EACCES)
        #expect(throws: CaptureError(.failed, "cannot create /tmp/never.cap: Permission denied")) {
            _ = try CaptureFileWriter(path: "/tmp/never.cap", linkType: 1, snapshotLength: 100, byteLimit: 0)
        }
    }
}
