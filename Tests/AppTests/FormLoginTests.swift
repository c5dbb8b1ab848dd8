import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import Storage
import TestSupport
import Testing

/// The form login and its session cookie: signing in and out, fixation, where `next` may lead,
/// cross-site requests, the failure throttle and the session's lifetimes.
@Suite struct FormLoginTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// A test application with the repository's login page and a user `alice`.
    static func app(_ configure: (inout AppConfiguration) -> Void = { _ in }) async throws -> TestApp {
        let app = try TestApp(configure)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.copyItem(
            atPath: repository.path + "/static/login.html",
            toPath: app.configuration.staticDirectory + "/login.html"
        )
        try await app.accounts().add(name: "alice", password: "alice-password", isAdmin: false)
        return app
    }

    static func login(
        _ client: some TestClientProtocol,
        user: String = "alice",
        password: String = "alice-password",
        next: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var body = "username=\(user)&password=\(password)"
        if let next { body += "&next=" + next.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
        var all = Self.form
        all.append(contentsOf: headers)
        return try await client.request(.post, "/login", body: body, headers: all)
    }

    /// The session id a response sets, if it sets one.
    static func sessionID(_ setCookie: String?) -> String? {
        guard let setCookie, setCookie.hasPrefix("wharf_session=") else { return nil }
        return String(setCookie.dropFirst("wharf_session=".count).prefix { $0 != ";" })
    }

    static func cookie(_ id: String) -> HTTPFields { [.cookie: "wharf_session=\(id)"] }

    static func me(_ client: some TestClientProtocol, _ id: String) async throws -> HTTPResponse.Status {
        try await client.request(.get, "/api/me", headers: Self.cookie(id)).status
    }

    /// Through the real form with curl's cookie jar: the page, a refusal, a sign-in, the API with
    /// the cookie, and a sign-out that ends the session on the server.
    @Test func signInAndOutThroughTheFormWithACookieJar() async throws {
        let app = try await Self.app()
        try await app.live(anonymous: true) { client in
            let port = client.port!
            let jar = app.directory.path + "/cookies"
            let page = try await Curl.request(port: port, "/login?next=/files", ["-b", jar, "-c", jar])
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(page.status == 200 && page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(html.contains("<form method=\"post\" action=\"/login\">") && html.contains("value=\"/files\""))

            let wrong = try await Curl.request(
                port: port,
                "/login",
                ["-b", jar, "-c", jar, "-d", "username=alice", "-d", "password=nope", "-d", "next=/files"]
            )
            #expect(wrong.status == 401)
            let refusal = String(decoding: wrong.body, as: UTF8.self)
            #expect(refusal.contains("Incorrect username or password.") && refusal.contains("value=\"/files\""))
            // The name stays filled in, and the password field takes the focus.
            #expect(refusal.contains("name=\"username\" value=\"alice\"") && refusal.contains("current-password\" required autofocus>"))
            #expect(html.contains("name=\"username\" value=\"\"") && html.contains("required autofocus></p>\n<p><label for=\"password\">"))

            let signedIn = try await Curl.request(
                port: port,
                "/login",
                ["-b", jar, "-c", jar, "-d", "username=alice", "-d", "password=alice-password", "-d", "next=/files"]
            )
            #expect(signedIn.status == 303 && signedIn.headers["location"] == "/files")
            let setCookie = try #require(signedIn.headers["set-cookie"])
            for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] { #expect(setCookie.contains(attribute), "\(attribute) in \(setCookie)") }
            #expect(!setCookie.contains("Secure"))
            let id = try #require(Self.sessionID(setCookie))

            let me = try await Curl.request(port: port, "/api/me", ["-b", jar])
            #expect(try me.status == 200 && me.decoded(UserBody.self).name == "alice")
            let upload = try await Curl.request(port: port, "/api/files?name=from-a-browser", ["-b", jar, "-T", "/etc/hostname"])
            #expect(try upload.status == 201 && upload.decoded(FileRecordBody.self).owner == "alice")

            let out = try await Curl.request(port: port, "/logout", ["-b", jar, "-c", jar, "-X", "POST"])
            #expect(out.status == 303 && out.headers["location"] == "/login")
            #expect(try await Curl.request(port: port, "/api/me", ["-b", jar]).status == 401)
            // The id itself is dead on the server, not only forgotten by the jar.
            #expect(try await Curl.request(port: port, "/api/me", ["-b", "wharf_session=\(id)"]).status == 401)
        }
    }

    @Test func aSessionSurvivesARestartAndEndsWithAPasswordChange() async throws {
        let app = try await Self.app()
        let id = try await app.router(anonymous: true) { client in
            try #require(Self.sessionID(try await Self.login(client).headers[.setCookie]))
        }
        try await app.router(anonymous: true) { client in
            #expect(try await Self.me(client, id) == .ok)
            try await app.accounts().changePassword(of: "alice", to: "another-password")
            #expect(try await Self.me(client, id) == .unauthorized)
        }
    }

    /// `POST /api/me/password`: refused with the reason for a wrong current password, a new one
    /// Wharf does not take, or a missing field; accepted, it ends every other session and bearer
    /// token of the user, while the browser that asked gets a new session; a script's token ends
    /// with its change. Wrong current passwords are throttled as failed sign-ins are.
    @Test func aUserChangesTheirOwnPasswordEndingEveryOtherSession() async throws {
        let app = try await Self.app()
        try await app.router(anonymous: true) { client in
            func change(_ current: String, _ new: String, _ headers: HTTPFields) async throws -> TestResponse {
                let body = #"{"current_password": "\#(current)", "new_password": "\#(new)"}"#
                return try await client.request(.post, "/api/me/password", json: body, headers: headers)
            }
            let here = try #require(Self.sessionID(try await Self.login(client).headers[.setCookie]))
            let there = try #require(Self.sessionID(try await Self.login(client).headers[.setCookie]))
            let token: HTTPFields = [.authorization: "Bearer \(try await app.token(for: "alice"))"]

            let wrong = try await change("not-the-password", "a-new-password", Self.cookie(here))
            #expect(wrong.status == .badRequest)
            #expect(try wrong.decoded(ErrorBody.self) == ErrorBody(detail: .message("The current password is incorrect.")))
            let short = try await change("alice-password", "short", Self.cookie(here))
            #expect(short.status == .badRequest)
            #expect(try short.decoded(ErrorBody.self).detail.description.contains("shorter than 8"))
            let missing = try await client.request(
                .post,
                "/api/me/password",
                json: #"{"new_password": "a-new-password"}"#,
                headers: Self.cookie(here)
            )
            #expect(missing.status == .unprocessableContent)
            #expect(try await Self.me(client, there) == .ok)

            let changed = try await change("alice-password", "a-new-password", Self.cookie(here))
            #expect(changed.status == .noContent)
            let renewed = try #require(Self.sessionID(changed.headers[.setCookie]))
            #expect(renewed != here && renewed != there)
            #expect(try await Self.me(client, renewed) == .ok)
            #expect(try await Self.me(client, here) == .unauthorized)
            #expect(try await Self.me(client, there) == .unauthorized)
            #expect(try await client.request(.get, "/api/me", headers: token).status == .unauthorized)
            #expect(try await Self.login(client).status == .unauthorized)
            #expect(try await Self.login(client, password: "a-new-password").status == .seeOther)

            // A script changes it with its bearer token: no cookie is set, and the token ends.
            let script: HTTPFields = [.authorization: "Bearer \(try await app.token(for: "alice"))"]
            let byScript = try await change("a-new-password", "a-third-password", script)
            #expect(byScript.status == .noContent && byScript.headers[.setCookie] == nil)
            #expect(try await client.request(.get, "/api/me", headers: script).status == .unauthorized)

            // Guessing the current password is throttled as sign-ins are: after five failures (the
            // successes above cleared the earlier ones) even the right one is refused.
            let fresh: HTTPFields = [.authorization: "Bearer \(try await app.token(for: "alice"))"]
            for _ in 0..<5 { #expect(try await change("a-guess", "a-fourth-password", fresh).status == .badRequest) }
            let throttled = try await change("a-third-password", "a-fourth-password", fresh)
            #expect(throttled.status == .tooManyRequests && throttled.headers[.retryAfter] != nil)
        }
    }

    /// A session id planted before signing in, or the session of an earlier sign-in on the same
    /// browser, is worth nothing after signing in: every sign-in gets a new id.
    @Test func signingInRotatesTheSessionID() async throws {
        let app = try await Self.app()
        try await app.accounts().add(name: "bob", password: "bob-password", isAdmin: false)
        try await app.router(anonymous: true) { client in
            let planted = "planted-by-an-attacker-0123456789"
            let first = try await Self.login(client, headers: Self.cookie(planted))
            let alice = try #require(Self.sessionID(first.headers[.setCookie]))
            #expect(alice != planted)
            #expect(try await Self.me(client, planted) == .unauthorized)
            #expect(try await Self.me(client, alice) == .ok)

            let second = try await Self.login(client, user: "bob", password: "bob-password", headers: Self.cookie(alice))
            let bob = try #require(Self.sessionID(second.headers[.setCookie]))
            #expect(bob != alice)
            #expect(try await Self.me(client, alice) == .unauthorized)
            #expect(try await client.request(.get, "/api/me", headers: Self.cookie(bob)).decoded(UserBody.self).name == "bob")
        }
    }

    @Test(arguments: [
        ("//evil.example", "/"), ("https://evil.example", "/"), ("/\\evil.example", "/"), ("/\t/evil.example", "/"),
        ("evil.example", "/"), ("/files?sort=name", "/files?sort=name"),
    ])
    func nextStaysOnThisSite(next: String, location: String) async throws {
        let app = try await Self.app()
        try await app.router(anonymous: true) { client in
            let response = try await Self.login(client, next: next)
            #expect(response.status == .seeOther && response.headers[.location] == location)
        }
    }

    /// What `next` says is put into the page as text: it cannot close the attribute it sits in.
    @Test func theLoginPageEscapesNext() async throws {
        let app = try await Self.app()
        try await app.router(anonymous: true) { client in
            let page = String(buffer: try await client.request(.get, "/login?next=/a%22%3E%3Cscript%3Ealert(1)%3C/script%3E").body)
            #expect(page.contains("value=\"/a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"") && !page.contains("<script>"))
        }
    }

    /// The name a failed sign-in gave is put back as text, and nothing filled in is read as a
    /// placeholder again.
    @Test func theLoginPageEscapesTheNameItKeeps() async throws {
        let app = try await Self.app()
        try await app.router(anonymous: true) { client in
            let response = try await Self.login(client, user: "%22%3E%3Cscript%3E", password: "nope", next: "/{{username}}")
            let page = String(buffer: response.body)
            #expect(response.status == .unauthorized)
            #expect(page.contains("value=\"&quot;&gt;&lt;script&gt;\"") && !page.contains("<script>"))
            #expect(page.contains("value=\"/{{username}}\""))
        }
    }

    @Test func aFailedSignInAnswersJSONToAClientThatAsks() async throws {
        let app = try await Self.app()
        try await app.router(anonymous: true) { client in
            let response = try await Self.login(client, password: "wrong-password", headers: [.accept: "application/json"])
            #expect(response.status == .unauthorized)
            #expect(try response.decoded(ErrorBody.self) == ErrorBody(detail: .message("Incorrect username or password.")))
        }
    }

    /// A state-changing request signed in by cookie from another origin is refused, whether the
    /// browser says so in Sec-Fetch-Site (a sibling subdomain's `same-site` included) or only its
    /// Origin or Referer shows it; the same origin, and bearer tokens, pass; the login form is
    /// guarded the same way.
    @Test func crossSiteRequestsWithTheCookieAreRefused() async throws {
        let app = try await Self.app()
        let token = try await app.token(for: "alice")
        try await app.live(anonymous: true) { client in
            let port = client.port!
            let signedIn = try await Curl.request(port: port, "/login", ["-d", "username=alice", "-d", "password=alice-password"])
            let id = try #require(Self.sessionID(signedIn.headers["set-cookie"]))
            let cookie = ["-b", "wharf_session=\(id)"]
            func upload(_ headers: [String], _ credentials: [String] = cookie) async throws -> Int {
                try await Curl.request(port: port, "/api/files?name=x", credentials + headers.flatMap { ["-H", $0] } + ["--data-binary", "x"]).status
            }
            #expect(try await upload(["Sec-Fetch-Site: cross-site"]) == 403)
            #expect(try await upload(["Sec-Fetch-Site: same-site", "Origin: http://uploads.127.0.0.1:\(port)"]) == 403)
            #expect(try await upload(["Origin: http://evil.example"]) == 403)
            #expect(try await upload(["Origin: null"]) == 403)
            #expect(try await upload(["Referer: http://evil.example/page"]) == 403)
            #expect(try await upload(["Sec-Fetch-Site: same-origin", "Origin: http://127.0.0.1:\(port)"]) == 201)
            #expect(try await upload(["Origin: http://127.0.0.1:\(port)"]) == 201)
            #expect(try await upload([]) == 201, "no browser headers: not a browser's cross-site request")
            #expect(try await upload(["Sec-Fetch-Site: cross-site"], ["-H", "Authorization: Bearer \(token)"]) == 201)
            #expect(try await Curl.request(port: port, "/api/files", cookie + ["-H", "Sec-Fetch-Site: cross-site"]).status == 200)
            let forged = try await Curl.request(
                port: port,
                "/login",
                ["-H", "Sec-Fetch-Site: cross-site", "-d", "username=alice", "-d", "password=alice-password"]
            )
            #expect(forged.status == 403)
            let listing = try await Curl.request(port: port, "/api/files", cookie).decoded(FilePageBody.self)
            #expect(listing.items.count == 4)
        }
    }

    /// Failed sign-ins are limited per user name and per client address: past the limit even the
    /// right password answers 429 with Retry-After, on the form and the token endpoint. (That the
    /// limit lifts when the window has passed is `LoginThrottleTests`' business, with a clock it
    /// moves.)
    @Test func failedSignInsAreThrottled() async throws {
        let app = try await Self.app { $0.loginMaxFailures = 3 }
        try await app.router(anonymous: true) { client in
            for _ in 0..<3 { #expect(try await Self.login(client, password: "wrong-password").status == .unauthorized) }
            let throttled = try await Self.login(client, headers: [.accept: "application/json"])
            #expect(throttled.status == .tooManyRequests)
            let retryAfter = try #require(throttled.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...900).contains(retryAfter))
            #expect(
                try throttled.decoded(ErrorBody.self) == ErrorBody(detail: .message("Too many failed sign-ins: try again in \(retryAfter) seconds."))
            )
            let page = try await Self.login(client)
            #expect(page.status == .tooManyRequests && String(buffer: page.body).contains("Too many failed sign-ins"))
            let token = try await client.request(.post, "/api/token", body: "username=alice&password=alice-password", headers: Self.form)
            #expect(token.status == .tooManyRequests && token.headers[.retryAfter] != nil)
        }
    }

    @Test func failuresFromOneAddressAcrossNamesAreThrottled() async throws {
        let app = try await Self.app { $0.loginMaxFailures = 3 }
        try await app.router(anonymous: true) { (client) async throws -> Void in
            for name in ["root", "guest", "test"] {
                #expect(try await Self.login(client, user: name, password: "whatever-password").status == .unauthorized)
            }
            #expect(try await Self.login(client).status == .tooManyRequests)
        }
    }

    /// A session whose idle time ran out, or that passed its absolute lifetime, signs no one in
    /// and is ended; a session in use has its idle expiry pushed back. The stored sessions are
    /// aged by hand, so that no test waits for a clock.
    @Test func aSessionEndsWhenIdleAndAtItsAbsoluteLifetimeAndSlidesWhileUsed() async throws {
        let app = try await Self.app()
        let storage = try await Wharf.openStorage(configuration: app.configuration, logger: TestApp.logger)
        let sessions = storage.sessions
        let generation = try await storage.users.user(named: "alice").tokenGeneration
        let now = Int64(Date().timeIntervalSince1970)
        @Sendable func session(signedInAt: Int64, refreshedAt: Int64) -> String {
            #"{"generation":\#(generation),"refreshedAt":\#(refreshedAt),"signedInAt":\#(signedInAt),"user":"alice"}"#
        }
        try await app.router(anonymous: true) { client in
            let idle = try #require(Self.sessionID(try await Self.login(client).headers[.setCookie]))
            try await sessions.put(id: idle, user: "alice", data: session(signedInAt: now, refreshedAt: now), lifetime: .seconds(-1))
            #expect(try await Self.me(client, idle) == .unauthorized)

            let old = try #require(Self.sessionID(try await Self.login(client).headers[.setCookie]))
            let eightDaysAgo = now - 8 * 86400
            try await sessions.put(id: old, user: "alice", data: session(signedInAt: eightDaysAgo, refreshedAt: now), lifetime: .seconds(3600))
            let refused = try await client.request(.get, "/api/me", headers: Self.cookie(old))
            #expect(refused.status == .unauthorized)
            #expect(try await sessions.get(id: old) == nil, "the session is ended on the server")

            let used = try #require(Self.sessionID(try await Self.login(client).headers[.setCookie]))
            try await sessions.put(id: used, user: "alice", data: session(signedInAt: now - 600, refreshedAt: now - 120), lifetime: .seconds(60))
            let slid = try await client.request(.get, "/api/me", headers: Self.cookie(used))
            #expect(slid.status == .ok && slid.headers[.setCookie]?.hasPrefix("wharf_session=\(used);") == true)
            let remaining = try #require(try await sessions.get(id: used)?.remaining)
            #expect(remaining > .seconds(7000), "pushed back to the idle timeout of 2 h")
        }
    }

    @Test func secureCookiesAreMarkedSecure() async throws {
        let app = try await Self.app { $0.secureCookies = true }
        try await app.router(anonymous: true) { client in
            let setCookie = try #require(try await Self.login(client).headers[.setCookie])
            #expect(setCookie.contains("Secure") && setCookie.contains("HttpOnly"))
        }
    }
}
