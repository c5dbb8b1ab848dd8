import HTTPTypes
import Hummingbird
import Routing

/// Refuses state-changing requests that a browser sends on behalf of another origin's page
/// (cross-site request forgery), and WebSocket handshakes from one (which could otherwise read the
/// signed-in user's events): what the browser says in `Sec-Fetch-Site` (anything but
/// `same-origin`, or `none` for what the user typed, as Go's `CrossOriginProtection` judges it: a
/// `same-site` page may be a sibling subdomain someone else runs), or when it sends no such
/// header, the `Origin` (else `Referer`) compared with the host the request was sent to. A request
/// with none of them is not a browser's cross-site request and passes. Only requests signed in by
/// the session cookie are checked: a bearer token is never sent by a browser on its own.
enum CrossSiteCheck {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    /// The detail of the 403.
    static let refusal = "Cross-site request refused: it was sent by another site's page."

    /// Throws 403 when `request` changes state, or opens a WebSocket, and comes from another site.
    static func check(_ request: Request) throws {
        let opensWebSocket = request.headers[.upgrade]?.lowercased() == "websocket"
        guard opensWebSocket || ![.get, .head, .options].contains(request.method), self.isCrossSite(request) else { return }
        throw HTTPException(.forbidden, Self.refusal)
    }

    static func isCrossSite(_ request: Request) -> Bool {
        self.isCrossSite(
            fetchSite: request.headers[self.secFetchSite],
            source: request.headers[.origin] ?? request.headers[.referer],
            host: request.head.authority
        )
    }

    /// The same judgement from the header values: `Sec-Fetch-Site`, the `Origin` (else `Referer`)
    /// and the host the request was sent to.
    static func isCrossSite(fetchSite: String?, source: String?, host: String?) -> Bool {
        if let fetchSite { return !["same-origin", "none"].contains(fetchSite.lowercased()) }
        guard let source else { return false }
        guard let host, let origin = self.authority(of: source) else { return true }
        return self.withoutDefaultPort(origin.authority, scheme: origin.scheme) != self.withoutDefaultPort(host.lowercased(), scheme: origin.scheme)
    }

    /// The scheme and lower-cased `host[:port]` of an origin or URL; `nil` for `null` and
    /// anything that is not http(s).
    static func authority(of url: String) -> (scheme: String, authority: String)? {
        let lowered = url.lowercased()
        guard let scheme = ["http", "https"].first(where: { lowered.hasPrefix($0 + "://") }) else { return nil }
        let rest = lowered.dropFirst(scheme.count + 3)
        return (scheme, String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }))
    }

    /// `host:80` for http and `host:443` for https name the same place as `host`.
    static func withoutDefaultPort(_ authority: String, scheme: String) -> String {
        let defaultPort = scheme == "https" ? ":443" : ":80"
        return authority.hasSuffix(defaultPort) ? String(authority.dropLast(defaultPort.count)) : authority
    }
}
