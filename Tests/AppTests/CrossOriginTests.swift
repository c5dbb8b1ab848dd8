import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// Pages on other origins named by `--cors-origin` may call the API (CORS); no other origin may.
@Suite struct CrossOriginTests {
    static let site = "https://app.example"
    static let tus = HTTPField.Name("Tus-Resumable")!

    static func exposed(_ response: TestResponse) -> Set<String> {
        Set((response.headers[.accessControlExposeHeaders] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }

    @Test func aPreflightFromANamedOriginIsAnsweredAndOneFromAnotherIsNot() async throws {
        try await TestApp { $0.corsOrigins = [Self.site] }.router(anonymous: true) { client in
            let asked = "authorization, tus-resumable, upload-length, upload-metadata"
            let preflight = try await client.request(
                .options,
                "/api/uploads/",
                headers: [.origin: Self.site, .accessControlRequestMethod: "POST", .accessControlRequestHeaders: asked]
            )
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == Self.site)
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("PATCH") == true)
            #expect(preflight.headers[.accessControlAllowHeaders] == asked)
            #expect(preflight.headers[.accessControlMaxAge] == "86400")
            #expect(preflight.headers[.vary] == "Origin")
            #expect(preflight.headers[.accessControlAllowCredentials] == nil)

            let stranger = try await client.request(
                .options,
                "/api/files",
                headers: [.origin: "https://elsewhere.example", .accessControlRequestMethod: "DELETE"]
            )
            #expect(stranger.headers[.accessControlAllowOrigin] == nil && stranger.headers[.accessControlAllowMethods] == nil)

            // tus's own OPTIONS (no Access-Control-Request-Method) is answered by tus, seen by the page.
            let discovery = try await client.request(.options, "/api/uploads/", headers: [.origin: Self.site])
            #expect(discovery.headers[HTTPField.Name("Tus-Version")!] == "1.0.0")
            #expect(discovery.headers[.accessControlAllowOrigin] == Self.site)
            #expect(Self.exposed(discovery).isSuperset(of: ["tus-version", "tus-extension", "tus-max-size"]))
        }
    }

    @Test func answersAndErrorsShowTheAPIsHeadersToANamedOrigin() async throws {
        let app = try TestApp { $0.corsOrigins = [Self.site] }
        try await app.router { client in
            let created = try await client.request(
                .post,
                "/api/uploads/",
                headers: [.origin: Self.site, Self.tus: "1.0.0", HTTPField.Name("Upload-Length")!: "5"]
            )
            #expect(created.status == .created)
            #expect(created.headers[.accessControlAllowOrigin] == Self.site)
            #expect(created.headers[values: .vary].contains("Origin"))
            #expect(Self.exposed(created).isSuperset(of: ["location", "upload-offset", "upload-expires", "wharf-file-url", "x-request-id"]))

            let listing = try await client.request(.get, "/api/files", headers: [.origin: Self.site])
            #expect(listing.status == .ok && listing.headers[.accessControlAllowOrigin] == Self.site)
            let sameOrigin = try await client.request(.get, "/api/files")
            #expect(sameOrigin.headers[.accessControlAllowOrigin] == nil && sameOrigin.headers[.accessControlExposeHeaders] == nil)
            // Only the API: the site and the share links are not opened to other origins.
            #expect(try await client.request(.get, "/healthz", headers: [.origin: Self.site]).headers[.accessControlAllowOrigin] == nil)
        }
        try await app.router(anonymous: true) { client in
            let refused = try await client.request(.get, "/api/files", headers: [.origin: Self.site])
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.accessControlAllowOrigin] == Self.site)
            #expect(String(buffer: refused.body).contains("\"detail\""))
            let missing = try await client.request(.get, "/api/nothing-here", headers: [.origin: Self.site])
            #expect(missing.status == .notFound && missing.headers[.accessControlAllowOrigin] == Self.site)
        }
    }

    @Test func noOriginIsAllowedUnlessNamedAndAStarAllowsAny() async throws {
        let preflight: HTTPFields = [.origin: Self.site, .accessControlRequestMethod: "PATCH"]
        try await TestApp().router(anonymous: true) { client in
            let answer = try await client.request(.options, "/api/uploads/", headers: preflight)
            #expect(answer.headers[.accessControlAllowOrigin] == nil)
        }
        try await TestApp { $0.corsOrigins = ["*"] }.router(anonymous: true) { client in
            let answer = try await client.request(.options, "/api/uploads/", headers: preflight)
            #expect(answer.status == .noContent && answer.headers[.accessControlAllowOrigin] == "*" && answer.headers[.vary] == nil)
        }
    }

    @Test(arguments: [
        ("*", true), ("https://app.example", true), ("http://127.0.0.1:8080", true), ("http://[::1]:8080", true),
        ("https://app.example/", false), ("https://app.example/path", false), ("app.example", false), ("ftp://app.example", false),
        ("https://", false), ("https://app example", false), ("https://bücher.example", false),
    ])
    func originsAreCheckedAsBrowsersSendThem(text: String, valid: Bool) {
        #expect(AppConfiguration.isOrigin(text) == valid)
    }
}
