import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Routing

/// A page of the static site filled in by the server: `{{name}}` placeholders replaced with
/// values given as HTML, answered as uncacheable HTML under the site's `Content-Security-Policy`.
struct SitePage: Sendable {
    let staticDirectory: String
    /// The page's file in the static site, `login.html` say.
    let file: String
    /// The site's `Content-Security-Policy`, if any.
    let policy: String?

    /// The page with `values` filled in; `nil` when the site has no such page.
    func render(status: HTTPResponse.Status, _ values: [String: String], headers: HTTPFields = [:]) -> Response? {
        guard let template = try? String(contentsOfFile: self.staticDirectory + "/" + self.file, encoding: .utf8) else { return nil }
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        if let policy = self.policy { headers[.contentSecurityPolicy] = policy }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Self.fill(template, values))))
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
}
