import HTTPTypes
import Hummingbird
import Routing

/// Refuses state-changing requests that a browser sends on behalf of another site (cross-site
/// request forgery): what the browser says in `Sec-Fetch-Site`, or when it sends no such header,
/// the `Origin` (else `Referer`) compared with the host the request was sent to. A request with
/// none of them is not a browser's cross-site request and passes.
enum CrossSiteCheck {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// Throws 403 when `request` changes state and comes from another site.
    static func check(_ request: Request) throws {
        guard ![.get, .head, .options].contains(request.method), self.isCrossSite(request) else { return }
        throw HTTPException(.forbidden, "Cross-site request refused: it changes state and was sent by another site.")
    }

    static func isCrossSite(_ request: Request) -> Bool {
        if let site = request.headers[self.secFetchSite] { return site.lowercased() == "cross-site" }
        guard let source = request.headers[.origin] ?? request.headers[.referer] else { return false }
        guard let host = request.head.authority else { return true }
        return self.authority(of: source)?.lowercased() != host.lowercased()
    }

    /// The `host[:port]` of an origin or URL; `nil` for `null` and anything that is not http(s).
    static func authority(of url: String) -> String? {
        let lowered = url.lowercased()
        guard let scheme = ["http://", "https://"].first(where: { lowered.hasPrefix($0) }) else { return nil }
        let rest = url.dropFirst(scheme.count)
        return String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }
}
