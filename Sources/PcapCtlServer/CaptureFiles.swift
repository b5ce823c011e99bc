import ARMRequests
import CaptureOperations
import ControlPlane
import SystemCalls
import Crypto
import Glibc
import PcapFormat

/// A delivered capture file as the files endpoints describe it.
struct DownloadableFile: Sendable {
    var name: String
    var path: String
    var size: Int
    var sha256: String

    struct Listing: Encodable {
        var name: String
        var sizeInBytes: Int
        var sha256: String
        var downloadPath: String
    }

    func listing(capturePath: String, apiVersion: String) -> Listing {
        Listing(name: name, sizeInBytes: size, sha256: sha256, downloadPath: "\(capturePath)/files/\(Self.percentEncoded(name))?api-version=\(apiVersion)")
    }

    /// The name as one URL path segment: every byte but RFC 3986's unreserved ones escaped.
    static func percentEncoded(_ name: String) -> String {
        var text = ""
        for byte in name.utf8 {
            if isUnreserved(byte) {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return text
    }

    /// `Content-Disposition`'s file name, when the name needs no quoting (else the header is left out).
    var attachmentName: String? { name.utf8.allSatisfy(Self.isUnreserved) ? name : nil }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
    }

    /// Names each instance's file by its base name (`INSTANCE-NAME` if another instance's file has it)
    /// and hashes exactly the bytes the operations vouch for.
    static func describe(_ files: [CaptureOperations.CaptureFile]) throws(ARMError) -> [DownloadableFile] {
        var result: [DownloadableFile] = []
        for file in files {
            var name = FileSystem.baseName(of: file.path)
            if result.contains(where: { $0.name == name }) { name = "\(file.instanceKey)-\(name)" }
            let size = Int(file.size)
            result.append(DownloadableFile(name: name, path: file.path, size: size, sha256: try digest(file.path, size: size)))
        }
        return result
    }

    private static func digest(_ path: String, size: Int) throws(ARMError) -> String {
        var hash = SHA256()
        var offset = 0
        while offset < size {
            let chunk = try CaptureFileReader.chunk(path, offset: offset, length: size)
            hash.update(data: chunk)
            offset += chunk.count
        }
        return Hex.encode(hash.finalize())
    }
}


/// Reads a delivered file in chunks, reopening it per chunk, so that the streaming loop holds only an
/// offset and each read is one call on the blocking pool.
enum CaptureFileReader {
    static let chunkBytes = 1 << 20

    /// Up to `chunkBytes` from `offset`, never past `length` (the Content-Length already sent).
    static func chunk(_ path: String, offset: Int, length: Int) throws(ARMError) -> [UInt8] {
        guard offset < length else { return [] }
        let count = min(chunkBytes, length - offset)
        let chunk: [UInt8]
        do {
            let file = try FileSystem.open(path, O_RDONLY | O_NOFOLLOW)
            guard lseek(file.rawValue, off_t(offset), SEEK_SET) == off_t(offset) else { throw Errno.current }
            chunk = try file.read(upTo: count)
        } catch {
            throw ARMError(.internalServerError, "InternalServerError", "cannot read the capture file \(path): \(error)")
        }
        guard chunk.count == count else {
            throw ARMError(.internalServerError, "InternalServerError", "the capture file \(path) shrank while it was sent")
        }
        return chunk
    }
}
