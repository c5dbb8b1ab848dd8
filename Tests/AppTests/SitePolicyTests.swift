import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// The site's pages carry a Content-Security-Policy that allows no inline script and no other
/// origin; other files do not need one, and `--site-csp ''` turns it off.
@Suite struct SitePolicyTests {
    @Test func theSitesPagesAndTheSignInPageCarryThePolicy() async throws {
        let app = try await FormLoginTests.app()
        try Data("body { color: red }".utf8).write(to: URL(fileURLWithPath: app.configuration.staticDirectory + "/site.css"))
        try await app.router(anonymous: true) { client in
            let home = try await client.request(.get, "/")
            let signIn = try await client.request(.get, "/login")
            let style = try await client.request(.get, "/site.css")
            #expect(home.headers[.contentSecurityPolicy] == "default-src 'self'" && home.status == .ok)
            #expect(signIn.headers[.contentSecurityPolicy] == "default-src 'self'" && signIn.status == .ok)
            #expect(style.headers[.contentSecurityPolicy] == nil && style.status == .ok)
        }
        try await TestApp { $0.sitePolicy = nil }.router(anonymous: true) { client in
            let home = try await client.request(.get, "/")
            #expect(home.headers[.contentSecurityPolicy] == nil && home.status == .ok)
        }
    }
}
