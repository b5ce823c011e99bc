import ARMRequests
import CaptureOperations
import ControlPlane
import FoundationEssentials
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOPosix

/// The daemon's HTTP surface: the OAuth endpoints, then ARM's paths, each authorised by a bearer token.
/// Paths are matched case-insensitively, as ARM does; names keep their case.
struct ARMService: Sendable {
    let configuration: ServerConfiguration
    let backend: CaptureBackend
    let tokens: TokenIssuer
    let operations: LongRunningOperations
    /// Every call that blocks (store, agents) runs here, never on an event loop.
    let pool: NIOThreadPool

    var tenant: String { configuration.tenant! }
    var subscription: String { configuration.subscription! }
    /// The host's VMs are reported in the first location.
    var primaryLocation: String { configuration.locations[0] }

    static let watcherResourceGroup = "NetworkWatcherRG"
    static let watcherPrefix = "NetworkWatcher_"
    static let listPageSize = 100

    func respond(to request: Request) async -> Response {
        var request = request
        do {
            return try await route(&request)
        } catch let error as ARMError {
            return Self.errorResponse(error)
        } catch {
            return Self.errorResponse(ARMError(.badRequest, "InvalidRequest", "The request could not be read."))
        }
    }

    // MARK: Routing

    private func route(_ request: inout Request) async throws -> Response {
        guard let path = RequestPath(request.head.path ?? "/") else {
            throw ARMError.badRequest("InvalidRequestUri", "The request path is not valid.")
        }
        let method = request.method
        let words = path.segments.map { $0.lowercased() }

        // OAuth 2.0, per tenant: /{tenant}/v2.0/.well-known/openid-configuration and /{tenant}/oauth2/v2.0/token.
        if words.count == 4, words[1] == "v2.0", words[2] == ".well-known", words[3] == "openid-configuration", method == .get {
            try checkTenant(path.segments[0])
            return Self.json(.ok, OAuthEndpoints.discovery(base: baseURL(request), tenant: path.segments[0]))
        }
        if words.count == 4, words[1] == "oauth2", words[2] == "v2.0", words[3] == "token" {
            guard method == .post else { throw Self.methodNotAllowed }
            try checkTenant(path.segments[0])
            let form = try await Self.body(&request, limit: RequestLimits.formBytes)
            return await OAuthEndpoints.token(form: form, tokens: tokens, tenant: tenant)
        }

        if let asset = portalAsset(path) { return try Self.portalResponse(asset, method: method) }
        guard words.first == "subscriptions" else {
            throw ARMError.notFound("NotFound", "No route for '\(Validation.printable(path.raw))'.")
        }
        let principal = try await tokens.verify(authorization: request.headers[.authorization])
        let apiVersion = try path.apiVersion()

        if words.count == 1 {
            guard method == .get else { throw Self.methodNotAllowed }
            return Self.json(.ok, ARMPage(value: [subscriptionBody()], nextLink: nil))
        }
        guard path.segments[1].lowercased() == subscription.lowercased() else {
            throw ARMError.notFound("SubscriptionNotFound", "The subscription '\(Validation.printable(path.segments[1]))' could not be found.")
        }
        let rest = Array(path.segments.dropFirst(2))
        let restWords = Array(words.dropFirst(2))
        if rest.isEmpty {
            guard method == .get else { throw Self.methodNotAllowed }
            return Self.json(.ok, subscriptionBody())
        }

        // /subscriptions/{sub}/providers/Microsoft.Network/...
        if restWords.count >= 3, restWords[0] == "providers", restWords[1] == "microsoft.network" {
            if restWords.count == 3, restWords[2] == "networkwatchers" {
                guard method == .get else { throw Self.methodNotAllowed }
                return Self.json(.ok, ARMPage(value: configuration.locations.map(watcherBody), nextLink: nil))
            }
            if restWords.count == 6, restWords[2] == "locations", restWords[4] == "operations" || restWords[4] == "operationresults" {
                guard method == .get else { throw Self.methodNotAllowed }
                let location = try ARMError.locationFromPath(rest[3])
                try authorize(principal, location: location, write: false)
                return try await operationResponse(id: rest[5], location: location, asResult: restWords[4] == "operationresults", request: request, apiVersion: apiVersion)
            }
        }

        // /subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{type}[/{name}/...]
        guard restWords.count >= 5, restWords[0] == "resourcegroups", restWords[2] == "providers" else {
            throw ARMError.notFound("NotFound", "No route for '\(Validation.printable(path.raw))'.")
        }
        let group = rest[1]
        let tail = Array(rest.dropFirst(3))
        let tailWords = Array(restWords.dropFirst(3))
        if tailWords[0] == "microsoft.compute", tailWords.count == 2 || tailWords.count == 3, tailWords[1] == "virtualmachines" || tailWords[1] == "virtualmachinescalesets" {
            guard method == .get else { throw Self.methodNotAllowed }
            let scaleSet = tailWords[1] == "virtualmachinescalesets"
            if tailWords.count == 2 { return try await computeList(group: group, scaleSet: scaleSet) }
            return try await computeLookup(group: group, type: tail[1], name: tail[2], scaleSet: scaleSet)
        }
        guard tailWords.count >= 3, tailWords[0] == "microsoft.network", tailWords[1] == "networkwatchers" else {
            throw ARMError.notFound("NotFound", "No route for '\(Validation.printable(path.raw))'.")
        }
        guard group.lowercased() == Self.watcherResourceGroup.lowercased() else {
            throw ARMError.notFound("ResourceGroupNotFound", "Resource group '\(Validation.printable(group))' could not be found; network watchers live in \(Self.watcherResourceGroup).")
        }
        let location = try watcherLocation(tail[2])
        if tail.count == 3 {
            guard method == .get else { throw Self.methodNotAllowed }
            try authorize(principal, location: location, write: false)
            return Self.json(.ok, watcherBody(location))
        }
        guard tailWords[3] == "packetcaptures" else {
            throw ARMError.notFound("NotFound", "No route for '\(Validation.printable(path.raw))'.")
        }
        _ = try path.captureApiVersion()
        let context = CaptureContext(location: location, apiVersion: apiVersion, base: baseURL(request), collectionPath: "/" + (path.segments.prefix(2 + 3 + 4)).joined(separator: "/"))
        if tail.count == 4 {
            guard method == .get else { throw Self.methodNotAllowed }
            try authorize(principal, location: location, write: false)
            return try await list(context, skip: try path.skipToken())
        }
        let name = tail[4]
        try ARMError.checkCaptureName(name)
        let reference = CaptureReference(name: name, location: location)
        let action = CaptureAction(Array(tailWords.dropFirst(5)))
        switch (method, action) {
        case (.get, .resource):
            try authorize(principal, location: location, write: false)
            let view = try await blocking { [backend] () throws(ARMError) in try backend.get(reference) }
            return Self.json(.ok, ARMPacketCapture(view))
        case (.put, .resource):
            try authorize(principal, location: location, write: true)
            let body = try CreateBody.decode(try await Self.body(&request, limit: RequestLimits.bodyBytes))
            return try await create(body, name: name, context)
        case (.delete, .resource):
            try authorize(principal, location: location, write: true)
            return try await delete(reference, context)
        case (.post, .stop):
            try authorize(principal, location: location, write: true)
            return try await stop(reference, context)
        case (.post, .queryStatus):
            try authorize(principal, location: location, write: false)
            let report = try await blocking { [backend] () throws(ARMError) in try backend.status(reference) }
            return Self.json(.ok, report)
        case (.get, .files):
            try authorize(principal, location: location, write: false)
            let files = try await captureFiles(reference)
            let capturePath = "\(context.collectionPath)/\(name)"
            return Self.json(.ok, ARMPage(value: files.map { $0.listing(capturePath: capturePath, apiVersion: apiVersion) }, nextLink: nil))
        case (.get, .file(let summary)):
            try authorize(principal, location: location, write: false)
            let fileName = tail[6]
            let files = try await captureFiles(reference)
            guard let file = files.first(where: { $0.name == fileName }) else {
                throw ARMError.notFound("CaptureFileNotFound", "Packet capture '\(name)' has no file named '\(Validation.printable(fileName))'; list them with GET .../files.")
            }
            if summary {
                let result = try await blocking { () throws(ARMError) in try CaptureFileSummary.read(file.path, length: file.size) }
                return Self.json(.ok, result)
            }
            return try await download(file)
        case (_, .unknown):
            throw ARMError.notFound("NotFound", "No route for '\(Validation.printable(path.raw))'.")
        default:
            throw Self.methodNotAllowed
        }
    }

    /// Where a capture collection is and how its URLs are built.
    struct CaptureContext {
        var location: String
        var apiVersion: String
        var base: String
        /// `/subscriptions/.../networkWatchers/{watcher}/packetCaptures`, as the client spelled it.
        var collectionPath: String
    }

    // MARK: Packet captures

    private func list(_ context: CaptureContext, skip: Int) async throws -> Response {
        let captures = try await blocking { [backend] () throws(ARMError) in try backend.list(location: context.location) }
        let page = captures.dropFirst(skip).prefix(Self.listPageSize)
        let next = skip + page.count < captures.count
            ? "\(context.base)\(context.collectionPath)?api-version=\(context.apiVersion)&$skiptoken=\(skip + page.count)" : nil
        return Self.json(.ok, ARMPage(value: page.map(ARMPacketCapture.init), nextLink: next))
    }

    /// 201 with the resource at once; the wait until the agents run is the operation the clients poll.
    private func create(_ body: CreateBody, name: String, _ context: CaptureContext) async throws -> Response {
        let capture = try await blocking { [backend] () throws(ARMError) in try backend.create(body, name: name, location: context.location) }
        let id = OperationID(kind: .create, etag: capture.record.etag, name: capture.name)
        await begin(id, location: context.location, capture: capture)
        var headers = operationHeaders(id: id, context, location: false)
        headers[.contentType] = Self.jsonType
        let resource = ARMPacketCapture(capture.resource(provisioningState: "Updating"), bpfExpression: capture.settings.bpfExpression)
        return Response(status: .created, headers: headers, body: Self.jsonBody(resource))
    }

    private func stop(_ reference: CaptureReference, _ context: CaptureContext) async throws -> Response {
        let view = try await blocking { [backend] () throws(ARMError) in try backend.get(reference) }
        let id = OperationID(kind: .stop, etag: view.capture.record.etag, name: view.capture.name)
        await begin(id, location: context.location, capture: view.capture)
        return Response(status: .accepted, headers: operationHeaders(id: id, context, location: true))
    }

    /// Deleting an absent capture succeeds at once (204), as ARM does.
    private func delete(_ reference: CaptureReference, _ context: CaptureContext) async throws -> Response {
        let view: CaptureView
        do {
            view = try await blocking { [backend] () throws(ARMError) in try backend.get(reference) }
        } catch let error as ARMError where error.status == .notFound {
            return Response(status: .noContent)
        }
        let id = OperationID(kind: .delete, etag: view.capture.record.etag, name: view.capture.name)
        await begin(id, location: context.location, capture: view.capture)
        return Response(status: .accepted, headers: operationHeaders(id: id, context, location: true))
    }

    /// Runs operation `id` on `capture`; each kind's work may run again on the same capture (after a
    /// restart) and finishes as it would have the first time.
    private func begin(_ id: OperationID, location: String, capture: StoredCapture) async {
        let reference = CaptureReference(name: capture.name, location: location, id: capture.record.id)
        await operations.start(id, location: location, pool: pool) { [backend] () throws(ARMError) in
            switch id.kind {
            case .create:
                try backend.waitUntilStarted(capture)
            case .stop:
                try backend.stop(reference)
            case .delete:
                do throws(ARMError) { try backend.delete(reference) } catch {
                    if error.status != .notFound { throw error }  // deleted by someone else meanwhile
                }
            }
        }
    }

    /// An operation this process has no record of, begun before a restart (or forgotten since): its
    /// capture's record says where it stands. If the capture it began on is still there the work is
    /// taken up again; if it is gone, a delete has succeeded and a create or stop has lost its capture.
    private func resume(_ id: OperationID, location: String) async throws -> LongRunningOperations.Record {
        let found: CaptureView?
        do {
            found = try await blocking { [backend] () throws(ARMError) in try backend.get(CaptureReference(name: id.name, location: location)) }
        } catch let error as ARMError where error.status == .notFound {
            found = nil
        }
        if let capture = found?.capture, id.isGeneration(ofEtag: capture.record.etag) {
            await begin(id, location: location, capture: capture)
        } else if id.kind == .delete {
            await operations.settle(id, location: location, .succeeded)
        } else {
            await operations.settle(id, location: location, .failed(ARMError.notFound(
                "PacketCaptureNotFound", "Packet capture '\(id.name)' in location '\(location)' was deleted before its \(id.kind.rawValue) finished.")))
        }
        return await operations.record(id)!
    }

    /// `Azure-AsyncOperation` (and `Location` for POST/DELETE) with `Retry-After: 1`, a whole second:
    /// without it the clients wait 30 s, and a fraction crashes the SDK.
    private func operationHeaders(id: OperationID, _ context: CaptureContext, location: Bool) -> HTTPFields {
        let prefix = "\(context.base)/subscriptions/\(subscription)/providers/Microsoft.Network/locations/\(context.location)"
        var headers = HTTPFields()
        headers[.azureAsyncOperation] = "\(prefix)/operations/\(id)?api-version=\(context.apiVersion)"
        if location { headers[.location] = "\(prefix)/operationResults/\(id)?api-version=\(context.apiVersion)" }
        headers[.retryAfter] = "1"
        return headers
    }

    private func operationResponse(id text: String, location: String, asResult: Bool, request: Request, apiVersion: String) async throws -> Response {
        let notFound = ARMError.notFound("OperationNotFound", "The operation '\(Validation.printable(text))' was not found in location '\(location)'.")
        guard let id = OperationID(text) else { throw notFound }
        let record: LongRunningOperations.Record
        if let known = await operations.record(id) {
            guard known.location == location else { throw notFound }
            record = known
        } else {
            record = try await resume(id, location: location)
        }
        if asResult {
            switch record.state {
            case .inProgress:
                var headers = HTTPFields()
                headers[.location] = "\(baseURL(request))/subscriptions/\(subscription)/providers/Microsoft.Network/locations/\(location)/operationResults/\(id)?api-version=\(apiVersion)"
                headers[.retryAfter] = "1"
                return Response(status: .accepted, headers: headers)
            case .succeeded:
                var headers = HTTPFields()
                if record.finalStatus != .noContent { headers[.contentLength] = "0" }
                return Response(status: record.finalStatus, headers: headers)
            case .failed(let error):
                return Self.errorResponse(error)
            }
        }
        struct OperationStatus: Encodable {
            var name: String
            var status: String
            var error: ARMError.ErrorBody.Detail?
        }
        switch record.state {
        case .inProgress:
            var response = Self.json(.ok, OperationStatus(name: text, status: "InProgress"))
            response.headers[.retryAfter] = "1"
            return response
        case .succeeded:
            return Self.json(.ok, OperationStatus(name: text, status: "Succeeded"))
        case .failed(let error):
            return Self.json(.ok, OperationStatus(name: text, status: "Failed", error: error.body.error))
        }
    }

    // MARK: Files

    private func captureFiles(_ reference: CaptureReference) async throws -> [DownloadableFile] {
        try await blocking { [backend] () throws(ARMError) in try DownloadableFile.describe(try backend.files(reference)) }
    }

    /// Streams the file in chunks read on the pool, after its length and SHA-256.
    private func download(_ file: DownloadableFile) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/vnd.tcpdump.pcap"
        headers[.contentLength] = String(file.size)
        headers[.pcapctlSHA256] = file.sha256
        if let name = file.attachmentName { headers[.contentDisposition] = "attachment; filename=\"\(name)\"" }
        let pool = self.pool
        let body = ResponseBody(contentLength: file.size) { writer in
            var offset = 0
            while offset < file.size {
                let start = offset
                let chunk = try await pool.runIfActive { () throws(ARMError) in try CaptureFileReader.chunk(file.path, offset: start, length: file.size) }
                try await writer.write(ByteBuffer(bytes: chunk))
                offset += chunk.count
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: What az looks up

    private func computeLookup(group: String, type: String, name: String, scaleSet: Bool) async throws -> Response {
        let exists = try await blocking { [backend] () throws(ARMError) in
            scaleSet ? try backend.scaleSetExists(name) : try backend.virtualMachineExists(name)
        }
        let typeName = Self.computeType(scaleSet: scaleSet)
        guard exists else {
            throw ARMError.notFound("ResourceNotFound", "The Resource 'Microsoft.Compute/\(typeName)/\(Validation.printable(name))' under resource group '\(Validation.printable(group))' was not found.")
        }
        return Self.json(.ok, computeBody(group: group, name: name, scaleSet: scaleSet))
    }

    /// pcapctl's addition: the VMs (the host and its named namespaces) or scale sets a capture can target,
    /// in whatever resource group is asked for, as ARM lists them (one page), for the portal's picker.
    private func computeList(group: String, scaleSet: Bool) async throws -> Response {
        let names = try await blocking { [backend] () throws(ARMError) in
            scaleSet ? backend.scaleSetNames() : backend.virtualMachineNames()
        }
        return Self.json(.ok, ARMPage(value: names.map { computeBody(group: group, name: $0, scaleSet: scaleSet) }, nextLink: nil))
    }

    private struct Compute: Encodable {
        var id: String
        var name: String
        var type: String
        var location: String
        var properties: [String: String]
    }

    private static func computeType(scaleSet: Bool) -> String {
        scaleSet ? "virtualMachineScaleSets" : "virtualMachines"
    }

    private func computeBody(group: String, name: String, scaleSet: Bool) -> Compute {
        let typeName = Self.computeType(scaleSet: scaleSet)
        return Compute(
            id: "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Compute/\(typeName)/\(name)",
            name: name, type: "Microsoft.Compute/\(typeName)", location: primaryLocation,
            properties: ["provisioningState": "Succeeded"])
    }

    private struct Subscription: Encodable {
        var id: String
        var subscriptionId: String
        var tenantId: String
        var displayName: String
        var state: String
    }

    private func subscriptionBody() -> Subscription {
        Subscription(id: "/subscriptions/\(subscription)", subscriptionId: subscription, tenantId: tenant, displayName: "pcapctl on \(MachineResolver.currentHostName())", state: "Enabled")
    }

    private struct Watcher: Encodable {
        var id: String
        var name: String
        var type = "Microsoft.Network/networkWatchers"
        var location: String
        var properties: Properties

        struct Properties: Encodable {
            var provisioningState = "Succeeded"
            /// pcapctl's addition, read-only: where local file paths must lie (the portal checks it as you type).
            var capturesRoot: String
        }
    }

    /// One watcher per location, named as Azure names them.
    private func watcherBody(_ location: String) -> Watcher {
        let name = Self.watcherPrefix + location
        return Watcher(
            id: "/subscriptions/\(subscription)/resourceGroups/\(Self.watcherResourceGroup)/providers/Microsoft.Network/networkWatchers/\(name)",
            name: name, location: location, properties: .init(capturesRoot: backend.operations.environment.capturesRoot))
    }

    /// `NetworkWatcher_{location}` for a location this host answers for.
    private func watcherLocation(_ watcher: String) throws(ARMError) -> String {
        let lower = watcher.lowercased()
        let prefix = Self.watcherPrefix.lowercased()
        guard lower.hasPrefix(prefix), configuration.locations.contains(String(lower.dropFirst(prefix.count))) else {
            throw ARMError.notFound(
                "ParentResourceNotFound",
                "Network watcher '\(Validation.printable(watcher))' was not found; this host has \(configuration.locations.map { Self.watcherPrefix + $0 }.joined(separator: ", ")).")
        }
        return String(lower.dropFirst(prefix.count))
    }

    // MARK: Authorisation

    private func authorize(_ principal: Principal, location: String, write: Bool) throws(ARMError) {
        let client = principal.client
        guard client.mayAccess(location: location), !write || client.role.mayWrite else {
            let action = write ? "write" : "read"
            throw ARMError(
                .forbidden, "AuthorizationFailed",
                "The client '\(client.id)' with role '\(client.role.rawValue)' does not have authorization to perform action 'Microsoft.Network/networkWatchers/packetCaptures/\(action)' in location '\(location)'.")
        }
    }

    private func checkTenant(_ value: String) throws(ARMError) {
        guard value.lowercased() == tenant.lowercased() else {
            throw ARMError.badRequest("invalid_tenant", "Tenant '\(Validation.printable(value))' is not served here.")
        }
    }

    // MARK: Plumbing

    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws(ARMError) -> T) async throws -> T {
        try await pool.runIfActive(body)
    }

    /// `https://host:port` from the request's authority, so LRO URLs point back to this server.
    private func baseURL(_ request: Request) -> String {
        let scheme = configuration.plainHTTP || configuration.listen.hasPrefix("unix:") ? "http" : "https"
        guard let authority = request.head.authority, !authority.isEmpty, authority.utf8.count <= 255,
            authority.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || ".-:[]".unicodeScalars.contains($0)) })
        else { return "" }
        return "\(scheme)://\(authority)"
    }

    static func body(_ request: inout Request, limit: Int) async throws(ARMError) -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw ARMError(.contentTooLarge, "RequestBodyTooLarge", "The request body is larger than \(limit) bytes.")
        }
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw ARMError(.contentTooLarge, "RequestBodyTooLarge", "The request body is larger than \(limit) bytes.")
        }
    }

    static let methodNotAllowed = ARMError(.methodNotAllowed, "MethodNotAllowed", "This method is not allowed on this path.")
    static let jsonType = "application/json; charset=utf-8"

    static func jsonBody(_ value: some Encodable) -> ResponseBody {
        ResponseBody(byteBuffer: ByteBuffer(bytes: JSON.encode(value, pretty: false)))
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        Response(status: status, headers: [.contentType: jsonType], body: jsonBody(value))
    }

    static func errorResponse(_ error: ARMError) -> Response {
        var response = json(error.status, error.body)
        if error.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}

extension HTTPField.Name {
    static let azureAsyncOperation = Self("Azure-AsyncOperation")!
    static let pcapctlSHA256 = Self("x-pcapctl-sha256")!
}
