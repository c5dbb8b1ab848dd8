import HTTPTypes
import Hummingbird
import Routing
import TextBytes

/// The sign-in page: the static site's `login.html`, with `{{message}}` (an error, or nothing),
/// `{{next}}` (where to go after signing in) and `{{username}}` (the name a failed attempt gave)
/// filled in, escaped as HTML, and `autofocus` put in `{{username-autofocus}}`, or in
/// `{{password-autofocus}}` when the name is there already.
struct LoginPage: Sendable {
    let page: SitePage

    /// The template in the static site, which the static mount does not send as it is.
    static let file = "login.html"

    init(staticDirectory: String, policy: String?) {
        self.page = SitePage(staticDirectory: staticDirectory, file: Self.file, policy: policy)
    }

    func render(
        status: HTTPResponse.Status = .ok,
        message: String? = nil,
        next: String,
        username: String = "",
        headers: HTTPFields = [:]
    ) throws -> Response {
        let notice = message.map { "<p class=\"error\" role=\"alert\">\(HTMLText.escape($0))</p>" } ?? ""
        let values = [
            "message": notice,
            "next": HTMLText.escape(next),
            "username": HTMLText.escape(username),
            "username-autofocus": username.isEmpty ? "autofocus" : "",
            "password-autofocus": username.isEmpty ? "" : "autofocus",
        ]
        guard let response = self.page.render(status: status, values, headers: headers) else {
            throw HTTPException(.notFound, "The static site has no login.html.")
        }
        return response
    }

    /// Where a sign-in may send the browser: a path of this site, else `/`. Refused: other
    /// origins (`https://…`), protocol-relative `//host` and `/\host` (browsers read `\` as `/`),
    /// and control characters (browsers drop tabs and newlines, which would join `/` and `/`).
    static func localTarget(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
            !next.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return "/" }
        return next
    }
}
