import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Routing
import TextBytes

/// The sign-in page: the static site's `login.html`, with `{{message}}` (an error, or nothing),
/// `{{next}}` (where to go after signing in) and `{{username}}` (the name a failed attempt gave)
/// filled in, escaped as HTML, and `autofocus` put in `{{username-autofocus}}`, or in
/// `{{password-autofocus}}` when the name is there already.
struct LoginPage: Sendable {
    let staticDirectory: String
    /// The site's `Content-Security-Policy`, if any.
    let policy: String?

    func render(
        status: HTTPResponse.Status = .ok,
        message: String? = nil,
        next: String,
        username: String = "",
        headers: HTTPFields = [:]
    ) throws -> Response {
        guard let template = try? String(contentsOfFile: self.staticDirectory + "/login.html", encoding: .utf8) else {
            throw HTTPException(.notFound, "The static site has no login.html.")
        }
        let notice = message.map { "<p class=\"error\" role=\"alert\">\(HTMLText.escape($0))</p>" } ?? ""
        let page = Self.fill(
            template,
            [
                "message": notice,
                "next": HTMLText.escape(next),
                "username": HTMLText.escape(username),
                "username-autofocus": username.isEmpty ? "autofocus" : "",
                "password-autofocus": username.isEmpty ? "" : "autofocus",
            ]
        )
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        if let policy = self.policy { headers[.contentSecurityPolicy] = policy }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    /// `template` with each `{{name}}` of `values` replaced in one pass, so that no filled-in text
    /// (a `next` of `/{{username}}`, say) is ever read as a placeholder itself.
    private static func fill(_ template: String, _ values: [String: String]) -> String {
        var page = ""
        var rest = template[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            let name = String(rest[open.upperBound..<close.lowerBound])
            page += rest[..<open.lowerBound]
            page += values[name] ?? String(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
        }
        return page + rest
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
