/// The portal page the daemon serves at `/`: one HTML document, its stylesheet and its script, kept as
/// Swift constants so that the daemon is one file with nothing to fetch at run time and nothing to build
/// by hand. The page talks only to the daemon's own API (docs/portal.md), with a bearer token it keeps in
/// a variable, so it can do nothing a client of the API cannot.
public enum PortalAssets {
    public struct Asset: Sendable {
        public var path: String
        public var contentType: String
        public var body: String
    }

    public static let script = Asset(path: "/portal/portal.js", contentType: "text/javascript; charset=utf-8", body: PortalScript.source)
    public static let style = Asset(path: "/portal/portal.css", contentType: "text/css; charset=utf-8", body: PortalStyle.source)
    /// The tab's icon: without one the browser asks for /favicon.ico and logs the 404.
    public static let icon = Asset(path: "/portal/icon.svg", contentType: "image/svg+xml", body: """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b5cad"/>\
        <path d="M2 11h3l2-6 2 8 2-4h3" stroke="#fff" stroke-width="1.6" fill="none"/></svg>
        """)

    /// The document, carrying the tenant whose token endpoint the sign-in form posts to. `tenant` is a
    /// resource name (letters, digits, `-`, `_`, `.`), so it needs no escaping inside an attribute.
    public static func page(tenant: String) -> Asset {
        Asset(path: "/", contentType: "text/html; charset=utf-8", body: PortalPage.html(tenant: tenant))
    }

    /// The asset at `path`, or nil when `path` is not the page's.
    public static func asset(at path: String, tenant: String) -> Asset? {
        switch path {
        case "/", "/portal", "/portal/": page(tenant: tenant)
        case script.path: script
        case style.path: style
        case icon.path: icon
        default: nil
        }
    }

    /// Sent with every asset. Scripts and styles only from the daemon itself (no inline script or style,
    /// no eval), requests only to the daemon, no framing, no form posts (the script makes every request),
    /// blob: for the downloads it offers and the chart it draws.
    public static let securityHeaders: [(name: String, value: String)] = [
        ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob:; "
            + "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ]
}
