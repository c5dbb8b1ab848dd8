import App
import Foundation
import HummingbirdTesting
import Routing
import TestSupport
import Testing

/// The static site over a real socket, as a browser and curl see it.
@Suite(.serialized) struct StaticSiteTests {
    static func site(spa: Bool = false) throws -> TestApp {
        let app = try TestApp { $0.spaFallback = spa }
        let root = app.configuration.staticDirectory
        let manager = FileManager.default
        try manager.createDirectory(atPath: root + "/docs", withIntermediateDirectories: true)
        try Data("<h1>docs</h1>".utf8).write(to: URL(fileURLWithPath: root + "/docs/index.html"))
        try Data("<h1>lost</h1>".utf8).write(to: URL(fileURLWithPath: root + "/404.html"))
        try Data("body { color: red }".utf8).write(to: URL(fileURLWithPath: root + "/app.3f9a1c2b.css"))
        try Data("TOKEN=1".utf8).write(to: URL(fileURLWithPath: root + "/.env"))
        try Data("outside".utf8).write(to: URL(fileURLWithPath: app.directory.path + "/outside.txt"))
        try manager.createSymbolicLink(atPath: root + "/escape.txt", withDestinationPath: app.directory.path + "/outside.txt")
        return app
    }

    @Test func pagesDirectoriesAndAssetsAreServedWithTheirHeaders() async throws {
        let app = try Self.site()
        try await app.live { client in
            let port = client.port!
            let index = try await Curl.request(port: port, "/", [])
            #expect(index.status == 200 && index.headers["content-type"] == "text/html; charset=utf-8")
            #expect(index.headers["cache-control"] == "no-cache" && index.headers["x-content-type-options"] == "nosniff")
            let redirect = try await Curl.request(port: port, "/docs?x=1", [])
            #expect(redirect.status == 308 && redirect.headers["location"] == "/docs/?x=1")
            let docs = try await Curl.request(port: port, "/docs/", [])
            #expect(String(decoding: docs.body, as: UTF8.self) == "<h1>docs</h1>")
            let asset = try await Curl.request(port: port, "/app.3f9a1c2b.css", [])
            #expect(asset.headers["content-type"] == "text/css; charset=utf-8")
            #expect(asset.headers["cache-control"] == "public, max-age=31536000, immutable")
            let tag = try #require(asset.headers["etag"])
            let revalidated = try await Curl.request(port: port, "/app.3f9a1c2b.css", ["-H", "If-None-Match: \(tag)"])
            #expect(revalidated.status == 304)
            let range = try await Curl.request(port: port, "/app.3f9a1c2b.css", ["-r", "0-3"])
            #expect(range.status == 206 && String(decoding: range.body, as: UTF8.self) == "body")
        }
    }

    /// The templates of the pages the server fills in (the sign-in page, a share link's refusal)
    /// are not sent as they are, nor their gzip sidecars, nor listed; the sign-in page still is.
    @Test func theServersOwnPagesAreNotServedAsTemplates() async throws {
        let app = try TestApp { $0.browse = true }
        let root = app.configuration.staticDirectory
        for name in ["login.html", "link.html", "login.html.gz", "link.html.gz"] {
            try FileManager.default.copyItem(atPath: PythonClients.site + "/" + name.replacing(".gz", with: ""), toPath: root + "/" + name)
        }
        try Data("<p>kept</p>".utf8).write(to: URL(fileURLWithPath: root + "/login-help.html"))
        // No index, so that the root is listed.
        try FileManager.default.removeItem(atPath: root + "/index.html")
        try await app.live { client in
            let port = client.port!
            for path in ["/login.html", "/link.html", "/login.html.gz", "/link.html.gz", "/%6Cogin.html"] {
                #expect(try await Curl.request(port: port, path, []).status == 404, "\(path)")
            }
            #expect(try await Curl.request(port: port, "/login-help.html", []).status == 200)
            let page = try await Curl.request(port: port, "/login", [])
            #expect(page.status == 200 && !String(decoding: page.body, as: UTF8.self).contains("{{"))
            let listing = String(decoding: try await Curl.request(port: port, "/", ["-H", "Accept: application/json"]).body, as: UTF8.self)
            #expect(listing.contains("login-help.html") && !listing.contains("\"login.html") && !listing.contains("link.html"), "\(listing)")
        }
    }

    /// Other methods on the site's files and directories get 405 with `Allow`, as nginx, Caddy and
    /// Starlette's StaticFiles answer; on a path that names nothing, or under the API, 404.
    @Test func otherMethodsOnStaticFilesAre405WithAllow() async throws {
        let app = try Self.site()
        try await app.live { client in
            let port = client.port!
            for (method, path) in [("POST", "/app.3f9a1c2b.css"), ("PUT", "/docs/index.html"), ("DELETE", "/docs/"), ("PATCH", "/docs")] {
                let reply = try await Curl.request(port: port, path, ["-X", method])
                #expect(reply.status == 405 && reply.headers["allow"] == "GET, HEAD", "\(method) \(path)")
                #expect(String(decoding: reply.body, as: UTF8.self).contains("\"detail\""))
            }
            for path in ["/nope.css", "/.env", "/escape.txt", "/api/nothing"] {
                #expect(try await Curl.request(port: port, path, ["-X", "POST"]).status == 404, "\(path)")
            }
        }
    }

    @Test func missingHiddenAndEscapingPathsGetTheNotFoundPage() async throws {
        let app = try Self.site()
        try await app.live { client in
            for path in ["/nope", "/.env", "/escape.txt", "/%2e%2e/outside.txt", "/docs/..%2f..%2foutside.txt"] {
                let reply = try await Curl.request(port: client.port!, path, ["--path-as-is"])
                #expect(reply.status == 404, "\(path)")
                #expect(String(decoding: reply.body, as: UTF8.self) == "<h1>lost</h1>", "\(path)")
            }
            let api = try await Curl.request(port: client.port!, "/api/nope", [])
            #expect(try api.status == 404 && api.decoded(ErrorBody.self) == ErrorBody(detail: .message("Not Found")))
            let malformed = try await Curl.request(port: client.port!, "/%ff", [])
            #expect(malformed.status == 400)
        }
    }

    @Test func precompressedSidecarsAreNegotiatedWithVaryAndTheirOwnValidators() async throws {
        let app = try Self.site()
        let root = app.configuration.staticDirectory
        let script = String(repeating: "console.log('wharf');\n", count: 200)
        try Data(script.utf8).write(to: URL(fileURLWithPath: root + "/app.js"))
        try await Command.run("gzip", ["-k", "-9", root + "/app.js"])
        try await app.live { client in
            let port = client.port!
            let plain = try await Curl.request(port: port, "/app.js", [])
            #expect(plain.headers["content-encoding"] == nil && plain.headers["vary"] == "Accept-Encoding")
            #expect(String(decoding: plain.body, as: UTF8.self) == script)
            #expect(plain.headers["content-type"] == "text/javascript; charset=utf-8")

            let gzipped = try await Curl.request(port: port, "/app.js", ["-H", "Accept-Encoding: br;q=0, gzip"])
            #expect(gzipped.headers["content-encoding"] == "gzip" && gzipped.headers["vary"] == "Accept-Encoding")
            let sidecarSize = try FileManager.default.attributesOfItem(atPath: root + "/app.js.gz")[.size] as? Int
            #expect(Int(gzipped.headers["content-length"] ?? "") == sidecarSize)
            #expect(gzipped.headers["etag"] != plain.headers["etag"])
            let decoded = try await Curl.request(port: port, "/app.js", ["--compressed"])
            #expect(String(decoding: decoded.body, as: UTF8.self) == script)

            let revalidated = try await Curl.request(
                port: port,
                "/app.js",
                ["-H", "Accept-Encoding: gzip", "-H", "If-None-Match: \(gzipped.headers["etag"] ?? "")"]
            )
            #expect(revalidated.status == 304 && revalidated.headers["vary"] == "Accept-Encoding")
        }
    }

    @Test func compressibleFilesWithoutSidecarsAreGzippedOnTheFly() async throws {
        let app = try Self.site()
        let root = app.configuration.staticDirectory
        let css = String(repeating: ".wharf { margin: 0 auto; }\n", count: 300)
        try Data(css.utf8).write(to: URL(fileURLWithPath: root + "/site.css"))
        try await app.live { client in
            let port = client.port!
            let gzipped = try await Curl.request(port: port, "/site.css", ["-H", "Accept-Encoding: gzip"])
            #expect(gzipped.headers["content-encoding"] == "gzip" && gzipped.headers["vary"] == "Accept-Encoding")
            #expect(gzipped.headers["etag"]?.hasSuffix("-gzip\"") == true)
            #expect(gzipped.body.count < css.utf8.count / 5)
            let decoded = try await Curl.request(port: port, "/site.css", ["--compressed"])
            #expect(String(decoding: decoded.body, as: UTF8.self) == css)

            let revalidated = try await Curl.request(
                port: port,
                "/site.css",
                ["-H", "Accept-Encoding: gzip", "-H", "If-None-Match: \(gzipped.headers["etag"] ?? "")"]
            )
            #expect(revalidated.status == 304 && revalidated.headers["vary"] == "Accept-Encoding")

            let range = try await Curl.request(port: port, "/site.css", ["-H", "Accept-Encoding: gzip", "-r", "0-5"])
            #expect(range.status == 206 && range.headers["content-encoding"] == nil && String(decoding: range.body, as: UTF8.self) == ".wharf")
            let plain = try await Curl.request(port: port, "/site.css", [])
            #expect(plain.headers["content-encoding"] == nil && plain.headers["vary"] == "Accept-Encoding")

            let small = try await Curl.request(port: port, "/app.3f9a1c2b.css", ["-H", "Accept-Encoding: gzip"])
            #expect(small.headers["content-encoding"] == nil && small.headers["vary"] == nil)
        }
    }

    @Test func browsingListsEntriesEscapedAsHTMLOrJSON() async throws {
        let app = try TestApp { $0.browse = true }
        let root = app.configuration.staticDirectory
        try FileManager.default.createDirectory(atPath: root + "/files/sub", withIntermediateDirectories: true)
        try Data("12345".utf8).write(to: URL(fileURLWithPath: root + "/files/<script>&.txt"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/files/.hidden"))
        try await app.live { client in
            let page = try await Curl.request(port: client.port!, "/files/", [])
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(page.status == 200 && page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(html.contains("&lt;script&gt;&amp;.txt") && !html.contains("<script>"))
            #expect(html.contains("href=\"%3Cscript%3E%26.txt\"") && html.contains("sub/"))
            #expect(!html.contains(".hidden"))
            let json = try await Curl.request(port: client.port!, "/files/", ["-H", "Accept: application/json"])
            let entries = try #require(try JSONSerialization.jsonObject(with: json.body) as? [[String: Any]])
            #expect(entries.compactMap { $0["name"] as? String } == ["sub", "<script>&.txt"])
            #expect(entries.last?["size"] as? Int == 5 && entries.first?["is_dir"] as? Bool == true)
        }
    }

    @Test func theSPAFallbackAnswersHTMLRequestsWithTheIndex() async throws {
        let app = try Self.site(spa: true)
        try await app.live { client in
            let page = try await Curl.request(port: client.port!, "/app/settings", ["-H", "Accept: text/html"])
            #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains("Wharf test"))
            let data = try await Curl.request(port: client.port!, "/app/data.json", ["-H", "Accept: application/json"])
            #expect(data.status == 404)
        }
    }
}
