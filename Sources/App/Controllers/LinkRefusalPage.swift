import HTTPTypes
import Hummingbird
import Routing
import TextBytes

/// What a browser is shown when a share link cannot give its file (revoked, unknown, expired,
/// used up): the static site's `link.html`, with `{{title}}` and `{{message}}` filled in, and
/// the status the API would answer. Whoever was sent a link opens it in a browser, where a JSON
/// error would read as a fault of the page.
struct LinkRefusalPage: Sendable {
    let page: SitePage

    /// The template in the static site, which the static mount does not send as it is.
    static let file = "link.html"

    init(staticDirectory: String, policy: String?) {
        self.page = SitePage(staticDirectory: staticDirectory, file: Self.file, policy: policy)
    }

    /// The page for `refusal`; `nil` when the site has no `link.html`.
    func render(_ refusal: HTTPException) -> Response? {
        let title =
            switch refusal.status {
            case .notFound: "Link not found"
            case .gone: "Link no longer valid"
            default: "File not available"
            }
        return self.page.render(status: refusal.status, ["title": title, "message": HTMLText.escape("\(refusal.detail)")], headers: refusal.headers)
    }

    /// Whether the client asks for a page: a browser's navigation names `text/html`; curl,
    /// download managers and scripts send `*/*` or JSON.
    static func isWanted(by request: Request) -> Bool {
        request.headers[.accept]?.lowercased().contains("text/html") == true
    }
}
