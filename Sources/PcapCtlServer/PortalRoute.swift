import ARMRequests
import HTTPTypes
import Hummingbird
import NIOCore
import PortalAssets

extension ARMService {
    /// The portal's asset at this path (the page at `/`), or nil: the page needs no token to load, and
    /// everything it shows comes from the API with the token it signs in for.
    func portalAsset(_ path: RequestPath) -> PortalAssets.Asset? {
        PortalAssets.asset(at: "/" + path.segments.joined(separator: "/"), tenant: tenant)
    }

    /// The asset with the page's security headers (docs/portal.md); GET only.
    static func portalResponse(_ asset: PortalAssets.Asset, method: HTTPRequest.Method) throws(ARMError) -> Response {
        guard method == .get else { throw methodNotAllowed }
        var headers: HTTPFields = [.contentType: asset.contentType]
        for (name, value) in PortalAssets.securityHeaders {
            headers[HTTPField.Name(name)!] = value
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: asset.body)))
    }
}
