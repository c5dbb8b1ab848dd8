import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Routing
import TextBytes

/// The sign-in page: the static site's `login.html`, with `{{message}}` (an error, or nothing)
/// and `{{next}}` (where to go after signing in) filled in, both escaped as HTML.
struct LoginPage: Sendable {
    let staticDirectory: String
    /// The site's `Content-Security-Policy`, if any.
    let policy: String?

    func render(status: HTTPResponse.Status = .ok, message: String? = nil, next: String, headers: HTTPFields = [:]) throws -> Response {
        guard let template = try? String(contentsOfFile: self.staticDirectory + "/login.html", encoding: .utf8) else {
            throw HTTPException(.notFound, "The static site has no login.html.")
        }
        let notice = message.map { "<p class=\"error\" role=\"alert\">\(HTMLText.escape($0))</p>" } ?? ""
        let page = template.replacingOccurrences(of: "{{message}}", with: notice).replacingOccurrences(of: "{{next}}", with: HTMLText.escape(next))
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        if let policy = self.policy { headers[.contentSecurityPolicy] = policy }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
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
