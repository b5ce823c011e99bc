import ARMRequests
import ControlPlane
import FuzzDriver
import OrderedJSON
import PacketFilters

/// One libFuzzer input: a request target on the first line, a PUT body after it. The target goes
/// through the daemon's path decoding, the body through create's decoding and then the planner that
/// the CLI's create uses too. Every input must come out as a request or as an ARM error in ARM's shape;
/// nothing is started and nothing is written.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequests(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
    RequestFuzzing.decodePath(String(decoding: bytes[..<newline], as: UTF8.self))
    RequestFuzzing.decodeCreate(Array(bytes[min(newline + 1, bytes.endIndex)...]))
    return 0
}

/// SwiftPM links an executable's entry point as `FuzzRequests_main`; hand control to libFuzzer's driver.
@_cdecl("FuzzRequests_main")
public func fuzzRequestsMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    RequestFuzzing.warmUp()
    return runLibFuzzer(argc, argv, fuzzRequests)
}

enum RequestFuzzing {
    static let subscription = "5ab1e5ed-1111-4222-8333-444455556666"
    /// Resolves only the host by name: no namespace directory exists, so no lookup depends on the machine.
    static let planner = CreatePlanner(
        environment: PcapCtlEnvironment(home: "/nonexistent/pcapctl-fuzz", capturesRoot: "/var/captures", subscription: subscription),
        machines: MachineResolver(namespaceDirectory: "/nonexistent/pcapctl-fuzz/netns", hostName: "fuzzhost"))

    /// Runs a whole create once before fuzzing starts, so that the lazily made constants it reaches (the
    /// planner, the BPF templates) are not reported as leaks of the first input that reaches them.
    static func warmUp() {
        let body = #"{"properties":{"target":"fuzzhost","storageLocation":{"filePath":"/var/captures/w.cap"},"#
            + #""filters":[{"protocol":"TCP","localIPAddress":"198.18.0.1","remoteIPAddress":"198.18.0.2","localPort":"80","remotePort":"81"}]}}"#
        decodePath("/subscriptions/s/providers/Microsoft.Network/locations/local/operations/stop.0a-1b.warm?api-version=2026-03-01")
        decodeCreate(Array(body.utf8))
    }

    static func decodePath(_ target: String) {
        guard let path = RequestPath(target) else { return }
        expectShape { () throws(ARMError) in _ = try path.apiVersion() }
        expectShape { () throws(ARMError) in _ = try path.captureApiVersion() }
        expectShape { () throws(ARMError) in _ = try path.skipToken() }
        for segment in path.segments.prefix(16) {
            expectShape { () throws(ARMError) in try ARMError.checkCaptureName(segment) }
            expectShape { () throws(ARMError) in _ = try ARMError.locationFromPath(segment) }
            if let id = OperationID(segment) {
                guard OperationID(id.description) == id else { fatalError("operation id '\(segment)' does not survive a round trip") }
            }
        }
        _ = CaptureAction(Array(path.segments.suffix(3).map { $0.lowercased() }))
    }

    static func decodeCreate(_ bytes: [UInt8]) {
        expectShape { () throws(ARMError) in
            let body = try CreateBody.decode(bytes)
            let request = try body.request(name: "fuzzed", location: "local", subscription: subscription)
            do throws(PcapCtlError) {
                _ = try planner.plan(request, bpfExpression: BPFExpression.make(for: request.filters, on: .any))
            } catch {
                throw ARMError(error)
            }
        }
    }

    /// A refusal must be a 4xx with a code, a message, and (for a field) a target the message names,
    /// and must survive being written as ARM's JSON body and read back.
    static func expectShape(_ decode: () throws(ARMError) -> Void) {
        do throws(ARMError) { try decode() } catch {
            guard (400..<500).contains(error.status.code) else { fatalError("status \(error.status.code) for \(error)") }
            guard !error.code.isEmpty, error.code.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil) }) else {
                fatalError("code '\(error.code)' is not an ARM error code")
            }
            guard !error.message.isEmpty else { fatalError("empty message for \(error.code)") }
            if let target = error.target {
                guard target.hasPrefix("properties") || target == "packetCaptureName" || target == "networkWatcherName" else {
                    fatalError("target '\(target)' is not a request field")
                }
                guard error.message.hasPrefix("\(target): ") else { fatalError("message '\(error.message)' does not name its target '\(target)'") }
            }
            guard let written = try? JSONReader.parse(JSON.encode(error.body, pretty: false)),
                case .string(let code)? = written["error"]?["code"], code == error.code,
                case .string(let message)? = written["error"]?["message"], message == error.message
            else { fatalError("the error body of \(error.code) does not read back") }
        }
    }
}
