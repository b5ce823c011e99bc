import CaptureEngine
import Foundation
import Glibc
import PcapFormat
import SystemCalls
import Testing
import TestSupport

/// The rotating writer of continuous capture: exact per-file sizes, every record in exactly one file in
/// order, the file limit of `false`, and its failure paths through the syscall seam.
struct RotatingWriterTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "pcapctl-ring-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func rotation(fileSize: UInt64, maximumFiles: Int = 0) -> FileRotation {
        let directory = directory
        return FileRotation(fileSizeLimit: fileSize, maximumFiles: maximumFiles) { number, start in "\(directory)/\(number)-\(start).cap" }
    }

    /// Appends a record whose payload starts with its sequence number, stamped `seconds`.
    func append(_ writer: CaptureFileWriter, sequence: UInt32, size: Int, seconds: Int = 1_700_000_000) -> Bool {
        var bytes = [UInt8](repeating: 0xcd, count: max(size, 4))
        withUnsafeBytes(of: sequence.bigEndian) { bytes.replaceSubrange(0..<4, with: $0) }
        return bytes.withUnsafeBufferPointer {
            writer.append(seconds: seconds, microseconds: 0, capturedLength: UInt32(size), originalLength: UInt32(size), bytes: $0.baseAddress!)
        }
    }

    func files() throws -> [(name: String, file: PcapFile, size: Int)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted { Int($0.split(separator: "-")[0])! < Int($1.split(separator: "-")[0])! }
        return try names.map { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))
            return (name, try PcapDecoder.parse([UInt8](data)), data.count)
        }
    }

    func sequence(_ record: PcapRecord) -> UInt32 {
        record.bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    @Test(arguments: [1024, 1139, 1140, 1141, 4096])
    func everyFileStaysWithinItsSizeAndHoldsTheNextRecords(fileSize: Int) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try CaptureFileWriter(rotation: rotation(fileSize: UInt64(fileSize)), startSeconds: 1_699_999_999, linkType: 1, snapshotLength: 200, flushThreshold: 4096)
        for sequence in 0..<500 { #expect(append(writer, sequence: UInt32(sequence), size: 100, seconds: 1_700_000_000 + sequence)) }
        writer.finish()
        let closed = writer.takeClosedFiles()
        let found = try files()
        #expect(closed.map(\.number) == Array(1...found.count))
        #expect(closed.map { FileManager.default.displayName(atPath: $0.path) } == found.map(\.name))
        // Each file is as full as the exact rule allows: one more record would have crossed the size.
        for (index, file) in found.enumerated() {
            #expect(file.size <= fileSize)
            #expect(file.size == 24 + file.file.records.count * 116)
            if index < found.count - 1 { #expect(file.size + 116 > fileSize) }
            #expect(closed[index].bytes == UInt64(file.size) && closed[index].packets == UInt64(file.file.records.count))
            #expect(closed[index].firstPacketTime?.seconds == file.file.records.first?.timestampSeconds)
            #expect(closed[index].lastPacketTime?.seconds == file.file.records.last?.timestampSeconds)
        }
        // Files are named after the stamp of their first record (the first after the session's start).
        #expect(found[0].name == "1-1699999999.cap")
        #expect(found[1].name == "2-\(1_700_000_000 + found[0].file.records.count).cap")
        #expect(found.flatMap(\.file.records).map(sequence) == (0..<500).map(UInt32.init))
        #expect(writer.packetsWritten == 500 && writer.packetsFlushed == 500)
        #expect(writer.bytesWritten == UInt64(found.reduce(0) { $0 + $1.size }))
        #expect(writer.takeClosedFiles().isEmpty, "each closed file is handed over once")
    }

    @Test func aWriterThatKeepsItsFilesStopsWhenTheyAreFull() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try CaptureFileWriter(rotation: rotation(fileSize: 1024, maximumFiles: 3), startSeconds: 1, linkType: 1, snapshotLength: 200)
        var accepted = 0
        while accepted < 1000, append(writer, sequence: UInt32(accepted), size: 100) { accepted += 1 }
        #expect(writer.reachedFileLimit)
        #expect(accepted == 3 * 8, "three files of eight 116-byte records")
        #expect(!append(writer, sequence: 9999, size: 1), "nothing is accepted once the files are full")
        writer.finish()
        let found = try files()
        #expect(found.count == 3)
        #expect(found.flatMap(\.file.records).map(sequence) == (0..<UInt32(accepted)).map { $0 })
    }

    @Test func aPacketLargerThanAFileIsCutToFitOne() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try CaptureFileWriter(rotation: rotation(fileSize: 1024), startSeconds: 1, linkType: 1, snapshotLength: 2000)
        #expect(append(writer, sequence: 1, size: 10))
        #expect(append(writer, sequence: 2, size: 1500))
        #expect(append(writer, sequence: 3, size: 10))
        writer.finish()
        let found = try files()
        #expect(found.map(\.size) == [24 + 26, 1024, 24 + 26])
        let cut = found[1].file.records[0]
        #expect(cut.caplen == 1024 - 24 - 16 && cut.origLen == 1500 && sequence(cut) == 2)
    }

    @Test func aFailedWriteWhileRotatingKeepsWholeRecordsInTheClosedFile() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        defer { FailureInjection.disarm() }
        let writer = try CaptureFileWriter(rotation: rotation(fileSize: 100_000), startSeconds: 1, linkType: 1, snapshotLength: 2000, flushThreshold: 1 << 20)
        // The header went out in init; the flush that the rotation makes fails as a full disk would.
        FailureInjection.arm(.write, errno: ENOSPC)
        var accepted = 0
        while accepted < 200, append(writer, sequence: UInt32(accepted), size: 1000) { accepted += 1 }
        #expect(writer.writeError == ENOSPC)
        #expect(writer.fileNumber == 1, "no file follows a failed write")
        writer.finish()
        let closed = writer.takeClosedFiles()
        let found = try files()
        #expect(closed.count == 1 && found.count == 1)
        #expect(found[0].size == 24 && closed[0].bytes == 24 && closed[0].packets == 0, "the failed flush kept only the header")
        #expect(writer.bytesWritten == writer.bytesFlushed)
    }

    @Test func aNextFileThatCannotBeCreatedEndsTheWriterWithThePreviousOneWhole() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        defer { FailureInjection.disarm() }
        let writer = try CaptureFileWriter(rotation: rotation(fileSize: 1024), startSeconds: 1, linkType: 1, snapshotLength: 200)
        FailureInjection.arm(.open, errno: EMFILE)
        var accepted = 0
        while accepted < 100, append(writer, sequence: UInt32(accepted), size: 100) { accepted += 1 }
        #expect(accepted == 8)
        #expect(writer.writeError == EMFILE)
        writer.finish()
        let closed = writer.takeClosedFiles()
        #expect(closed.map(\.packets) == [8])
        let found = try files()
        #expect(found.count == 1 && found[0].file.records.map(sequence) == (0..<8).map { UInt32($0) })
    }
}
