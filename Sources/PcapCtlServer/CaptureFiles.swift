import ControlPlane
import Crypto
import Glibc
import PcapFormat

/// A delivered capture file as the files endpoints describe it.
struct CaptureFile: Sendable {
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
        Listing(name: name, sizeInBytes: size, sha256: sha256, downloadPath: "\(capturePath)/files/\(name)?api-version=\(apiVersion)")
    }

    /// Names each file by its base name (the first of two with one name wins: storage before local
    /// file, as `pcapctl download` prefers) and hashes it.
    static func describe(_ paths: [String]) throws(ARMError) -> [CaptureFile] {
        var files: [CaptureFile] = []
        for path in paths {
            let name = FileSystem.baseName(of: path)
            guard !files.contains(where: { $0.name == name }), FileSystem.exists(path) else { continue }
            let (size, digest) = try digest(path)
            files.append(CaptureFile(name: name, path: path, size: size, sha256: digest))
        }
        return files
    }

    private static func digest(_ path: String) throws(ARMError) -> (Int, String) {
        do {
            let file = try FileSystem.open(path, O_RDONLY | O_NOFOLLOW)
            var hash = SHA256()
            var size = 0
            while true {
                let chunk = try file.read(upTo: CaptureFileReader.chunkBytes)
                if chunk.isEmpty { break }
                hash.update(data: chunk)
                size += chunk.count
            }
            return (size, Hex.encode(hash.finalize()))
        } catch {
            throw ARMError(.internalServerError, "InternalServerError", "cannot read the capture file \(path): \(error)")
        }
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
