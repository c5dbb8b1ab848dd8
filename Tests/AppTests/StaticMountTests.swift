import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import Storage
import TestSupport
import Testing

/// README promises of the static mounts that need no socket, in router test mode.
@Suite struct StaticMountTests {
    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test(arguments: [
        ("br", "br"), ("zstd", "zstd"), ("gzip", "gzip"), ("br, zstd, gzip", "br"), ("zstd;q=1, br;q=0.5", "zstd"), ("gzip, zstd;q=0.9", "gzip"),
        ("br;q=0, *", "zstd"), ("identity", nil),
    ])
    func brotliZstdAndGzipSidecarsAreChosenByQValues(acceptEncoding: String, coding: String?) async throws {
        let app = try TestApp()
        let root = app.configuration.staticDirectory
        let script = String(repeating: "export const a = 1;\n", count: 100)
        try Self.write(script, to: root + "/app.js")
        for suffix in ["br", "zst", "gz"] { try Self.write("sidecar " + suffix, to: root + "/app.js.\(suffix)") }
        try await app.router { client in
            let reply = try await client.execute(uri: "/app.js", method: .get, headers: [.acceptEncoding: acceptEncoding])
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentEncoding] == coding)
            #expect(reply.headers[.vary] == "Accept-Encoding")
            let suffix = ["br": "br", "zstd": "zst", "gzip": "gz"][coding ?? ""]
            #expect(String(buffer: reply.body) == (suffix.map { "sidecar " + $0 } ?? script))
        }
    }

    @Test func aMountServesItsDirectoryUnderItsPrefixOnly() async throws {
        let app = try TestApp { $0.mounts = [("/assets", URL(fileURLWithPath: $0.staticDirectory).deletingLastPathComponent().path + "/public")] }
        let assets = app.directory.path + "/public"
        try FileManager.default.createDirectory(atPath: assets + "/img", withIntermediateDirectories: true)
        try Self.write("logo", to: assets + "/img/logo.svg")
        try Self.write("<p>no index mode</p>", to: assets + "/index.html")
        try Self.write("secret", to: app.directory.path + "/secret.txt")
        try await app.router { client in
            let logo = try await client.execute(uri: "/assets/img/logo.svg", method: .get)
            #expect(logo.status == .ok && String(buffer: logo.body) == "logo")
            #expect(logo.headers[.contentType] == "image/svg+xml; charset=utf-8")
            #expect(try await client.execute(uri: "/img/logo.svg", method: .get).status == .notFound)
            // A `..` out of a mount names a path of the site, and is sent there: never to the
            // mount's parent directory.
            for climb in ["/assets/../secret.txt", "/assets/%2e%2e/secret.txt"] {
                let reply = try await client.execute(uri: climb, method: .get)
                #expect(reply.status == .permanentRedirect && reply.headers[.location] == "/secret.txt", "\(climb)")
            }
            #expect(try await client.execute(uri: "/secret.txt", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/assets/img/../../../secret.txt", method: .get).status == .notFound)
            // Only the root mount is in html mode: a directory of another mount serves no index.
            #expect(try await client.execute(uri: "/assets/", method: .get).status == .notFound)
        }
    }

    @Test func cacheControlFollowsThePolicyAndTheFlag() async throws {
        let app = try TestApp { $0.staticCacheControl = "public, max-age=60" }
        let root = app.configuration.staticDirectory
        try Self.write("a {}", to: root + "/site.css")
        try Self.write("b {}", to: root + "/site.3f9a1c2b.css")
        try await app.router { client in
            #expect(try await client.execute(uri: "/site.css", method: .get).headers[.cacheControl] == "public, max-age=60")
            let fingerprinted = try await client.execute(uri: "/site.3f9a1c2b.css", method: .get)
            #expect(fingerprinted.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(try await client.execute(uri: "/index.html", method: .get).headers[.cacheControl] == "no-cache")
        }
    }

    /// Dates and ids in names are not hashes; what `--immutable` names is immutable, in any mount.
    @Test func immutableGlobsDeclareWhatNamesCannot() async throws {
        let app = try TestApp {
            $0.mounts = [("/media", URL(fileURLWithPath: $0.staticDirectory).deletingLastPathComponent().path + "/media")]
            $0.immutablePaths = ["/assets/*", "/media/*.mp4"]
        }
        let root = app.configuration.staticDirectory
        try FileManager.default.createDirectory(atPath: root + "/assets/fonts", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: app.directory.path + "/media", withIntermediateDirectories: true)
        try Self.write("font", to: root + "/assets/fonts/inter.woff2")
        try Self.write("report", to: root + "/report-20261130.pdf")
        try Self.write("clip", to: app.directory.path + "/media/clip.mp4")
        try Self.write("poster", to: app.directory.path + "/media/clip.jpg")
        try await app.router { client in
            let font = try await client.execute(uri: "/assets/fonts/inter.woff2", method: .get)
            #expect(font.headers[.cacheControl] == "public, max-age=31536000, immutable")
            let clip = try await client.execute(uri: "/media/clip.mp4", method: .get)
            #expect(clip.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(try await client.execute(uri: "/media/clip.jpg", method: .get).headers[.cacheControl] == "public, max-age=3600")
            #expect(try await client.execute(uri: "/report-20261130.pdf", method: .get).headers[.cacheControl] == "public, max-age=3600")
        }
    }

    /// Gzip on the fly stops at 8 MiB: a larger file is sent as it is.
    @Test func onTheFlyGzipStopsAt8MiB() async throws {
        let app = try TestApp()
        let root = app.configuration.staticDirectory
        let line = String(repeating: "x", count: 63) + "\n"
        try Self.write(String(repeating: line, count: (8 << 20) / 64), to: root + "/at-limit.txt")
        try Self.write(String(repeating: line, count: (8 << 20) / 64 + 1), to: root + "/over-limit.txt")
        try await app.router { client in
            let atLimit = try await client.execute(uri: "/at-limit.txt", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(atLimit.headers[.contentEncoding] == "gzip")
            #expect(atLimit.body.readableBytes < 1 << 20)
            let over = try await client.execute(uri: "/over-limit.txt", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(over.headers[.contentEncoding] == nil)
            #expect(over.body.readableBytes == (8 << 20) + 64)
        }
    }

    /// The small-file cache (≤ 256 KiB) and the content-hash cache (larger files) are keyed by
    /// file identity: a file rewritten in place with the same size is served anew with a new ETag.
    @Test(arguments: [1000, 300_000])
    func aFileRewrittenInPlaceIsServedAnew(size: Int) async throws {
        let app = try TestApp()
        let path = app.configuration.staticDirectory + "/data.txt"
        try Self.write(String(repeating: "a", count: size), to: path)
        try await app.router { client in
            let first = try await client.execute(uri: "/data.txt", method: .get)
            #expect(String(buffer: first.body).allSatisfy { $0 == "a" })
            try Self.write(String(repeating: "b", count: size), to: path)
            // The same size and inode; the clock the kernel stamps files with ticks coarsely, so
            // the rewrite is dated apart from the first write, as any later edit would be.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 10)], ofItemAtPath: path)
            let second = try await client.execute(uri: "/data.txt", method: .get)
            #expect(second.body.readableBytes == size)
            #expect(String(buffer: second.body).allSatisfy { $0 == "b" })
            #expect(second.headers[.eTag] != first.headers[.eTag])
        }
    }

    /// A static file refused for its range or a precondition answers as the API does, with the
    /// site's caching headers kept.
    @Test func aStaticRefusalKeepsTheSitesHeaders() async throws {
        let app = try TestApp()
        try Self.write(String(repeating: "x", count: 2000), to: app.configuration.staticDirectory + "/notes.txt")
        try await app.router { client in
            let range = try await client.request(.get, "/notes.txt", headers: [.range: "bytes=5000-"])
            #expect(range.status == .rangeNotSatisfiable)
            #expect(range.headers[.contentRange] == "bytes */2000")
            #expect(range.headers[.cacheControl] == "public, max-age=3600" && range.headers[.vary] == "Accept-Encoding")
            #expect(try range.decoded(ErrorBody.self) == ErrorBody(detail: .message("None of the requested ranges is within the file's 2000 bytes.")))
            let precondition = try await client.request(.get, "/notes.txt", headers: [.ifMatch: "\"nope\""])
            #expect(precondition.status == .preconditionFailed && precondition.headers[.eTag] != nil)
            let malformed = try await client.request(.get, "/%ff")
            #expect(malformed.status == .badRequest)
            #expect(try malformed.decoded(ErrorBody.self) == ErrorBody(detail: .message("The path is not valid percent-encoded UTF-8.")))
        }
    }

    @Test func aSaneRequestIDIsKeptAnOtherReplacedAndTimingIsReported() async throws {
        try await TestApp().router { client in
            let kept = try await client.execute(uri: "/healthz", method: .get, headers: [.requestID: "trace-42.a:b_c"])
            #expect(kept.headers[.requestID] == "trace-42.a:b_c")
            let replaced = try await client.execute(uri: "/healthz", method: .get, headers: [.requestID: "evil\" id"])
            let id = try #require(replaced.headers[.requestID])
            #expect(id != "evil\" id" && id.count == 32 && id.allSatisfy(\.isHexDigit))
            let time = try #require(kept.headers[.processTime])
            #expect(Double(time).map { $0 >= 0 && $0 < 5 } == true && time.split(separator: ".").last?.count == 6)
        }
    }

    @Test func aFullDeviceAnswers507AndKeepsNothing() async throws {
        let app = try TestApp()
        try await app.live(files: try app.failingFiles(failAfter: 1 << 10, with: StorageError(.noSpace, "The storage device is full."))) { client in
            let reply = try await Curl.request(port: client.port!, "/api/files?name=x", ["-T", "/etc/services"])
            #expect(reply.status == 507)
            #expect(try reply.decoded(ErrorBody.self) == ErrorBody(detail: .message("The storage device is full.")))
            #expect(try await app.holdsNothing(port: client.port!))
        }
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-ID")!
    static let processTime = Self("X-Process-Time")!
}
