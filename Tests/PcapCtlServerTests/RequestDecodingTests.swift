import ARMRequests
import ControlPlane
import Testing

@testable import PcapCtlServer

/// The pure parts of the daemon's request handling: paths, create bodies, secrets.
struct RequestDecodingTests {
    @Test func pathsAreSplitAndPercentDecoded() throws {
        let path = try #require(RequestPath("/subscriptions/a%2Db/x?api-version=2026-03-01&%24skiptoken=5"))
        #expect(path.segments == ["subscriptions", "a-b", "x"])
        #expect(path.query == ["api-version": "2026-03-01", "$skiptoken": "5"])
    }

    @Test(arguments: ["/a%00b", "/a%zz", "/a%4", "/%ff%fe", "/a//b/%"])
    func malformedPathsAreRefused(_ target: String) {
        #expect(RequestPath(target) == nil)
    }

    @Test func anEncodedSlashStaysInsideItsSegment() throws {
        let path = try #require(RequestPath("/x/..%2F..%2Fetc"))
        #expect(path.segments == ["x", "../../etc"])
        #expect(!Validation.isResourceName(path.segments[1]))
    }

    @Test func absentFieldsAreLeftToThePlanner() throws {
        let body = try CreateBody.decode(Array(#"{"properties":{"target":"vm1","storageLocation":{"filePath":"/var/captures/a.cap"}}}"#.utf8))
        #expect(body.targetType == .azureVM)
        #expect(body.bytesToCapturePerPacket == 0)
        #expect(body.totalBytesPerSession == nil && body.timeLimitInSeconds == nil && body.continuousCapture == nil)
        #expect(body.filePath == "/var/captures/a.cap" && body.localPath == nil)
    }

    @Test func continuousCaptureFieldsAreRead() throws {
        let json = #"{"properties":{"target":"vm1","continuousCapture":true,"storageLocation":{"localPath":"/var/captures/r.cap"},"captureSettings":{"fileCount":3,"fileSizeInBytes":2097152}}}"#
        let body = try CreateBody.decode(Array(json.utf8))
        #expect(body.continuousCapture == true && body.localPath == "/var/captures/r.cap")
        #expect(body.fileCount == 3 && body.fileSizeInBytes == 2_097_152 && body.sessionTimeLimitInSeconds == nil)
    }

    @Test(arguments: [
        (#"{"properties":{"target":"vm1","storageLocation":{},"timeLimitInSeconds":18001}}"#, "properties.timeLimitInSeconds"),
        (#"{"properties":{"target":"vm1","storageLocation":{},"timeLimitInSeconds":true}}"#, "properties.timeLimitInSeconds"),
        (#"{"properties":{"target":"vm1","storageLocation":{},"totalBytesPerSession":-5}}"#, "properties.totalBytesPerSession"),
        (#"{"properties":{"target":"vm1","storageLocation":{},"bytesToCapturePerPacket":1e30}}"#, "properties.bytesToCapturePerPacket"),
        (#"{"properties":{"target":"vm1","storageLocation":"x"}}"#, "properties.storageLocation"),
        (#"{"properties":{"target":"vm1","storageLocation":{},"captureSettings":{"fileCount":10001}}}"#, "properties.captureSettings.fileCount"),
        (#"{"properties":{"target":"vm1","storageLocation":{},"continuousCapture":"yes"}}"#, "properties.continuousCapture"),
        (#"{"properties":{"target":"vm1","storageLocation":{},"targetType":"Pod"}}"#, "properties.targetType"),
        (#"{"properties":{"target":"vm1","storageLocation":{},"filters":[{"protocol":"TCP","localPort":"70000"}]}}"#, "properties.filters"),
        (#"{"properties":{"storageLocation":{}}}"#, "properties.target"),
    ])
    func eachBadFieldIsNamed(_ json: String, _ target: String) {
        #expect(throws: ARMError.self) { try CreateBody.decode(Array(json.utf8)) }
        do {
            _ = try CreateBody.decode(Array(json.utf8))
        } catch {
            #expect(error.status == .badRequest)
            #expect(error.target == target)
        }
    }

    @Test func operationIdsNameTheirCaptureAndItsGeneration() throws {
        let id = OperationID(kind: .stop, etag: #"W/"0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d""#, name: "cap.v1")
        #expect(id.description == "stop.0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d.cap.v1")
        #expect(OperationID(id.description) == id)
        #expect(id.isGeneration(ofEtag: #"W/"0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d""#))
        #expect(!id.isGeneration(ofEtag: #"W/"ffffffff-4e5f-6a7b-8c9d-0e1f2a3b4c5d""#))
    }

    @Test(arguments: ["", "stop", "stop..x", "pause.0a.x", "stop.zz.x", "stop.0a.", "stop.0a.bad name", "stop.0a.-lead", "3f2a9c1e-0b7d-4e55-9a61-1c2d3e4f5a6b"])
    func malformedOperationIdsAreRefused(_ text: String) {
        #expect(OperationID(text) == nil)
    }

    @Test func secretsAreKeptHashedAndCheckedExactly() throws {
        let hash = SecretHash.hashing("s3cret")
        #expect(!hash.description.contains("s3cret"))
        let stored = try #require(SecretHash(stored: hash.description))
        #expect(stored.matches("s3cret"))
        #expect(!stored.matches("s3cret "))
        #expect(SecretHash(stored: "hmac-sha256$00$11") == nil)
    }

    @Test func theCommandLineClientFormKeepsColonsInSecrets() throws {
        let reader = try ServerConfiguration.parseClient("app:pa:ss:reader")
        #expect(reader.role == .reader && reader.secret.matches("pa:ss"))
        let writer = try ServerConfiguration.parseClient("app:pa:ss")
        #expect(writer.role == .contributor && writer.secret.matches("pa:ss"))
        #expect(throws: PcapCtlError.self) { try ServerConfiguration.parseClient("bad id:x") }
    }
}
