import App
import Auth
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import Storage
import TestSupport
import Testing

/// Bearer tokens in router test mode: issued by the OAuth2 password form, accepted on the API,
/// refused when forged, expired or revoked.
@Suite struct BearerTokenTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func tokenRequest(_ client: some TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.request(.post, "/api/token", body: body, headers: Self.form)
    }

    @Test func thePasswordFormIssuesATokenThatSignsInTheAPI() async throws {
        let app = try TestApp()
        try await app.accounts().add(name: "alice", password: "alice-password", isAdmin: false)
        try await app.router(anonymous: true) { client in
            let before = Int(Date().timeIntervalSince1970)
            let issued = try await Self.tokenRequest(client, "grant_type=password&username=alice&password=alice-password")
            let after = Int(Date().timeIntervalSince1970)
            #expect(issued.status == .ok && issued.headers[.cacheControl] == "no-store")
            let body = try issued.decoded(TokenBody.self)
            #expect(body.token_type == "bearer" && body.expires_in == 3600)
            let claims = try #require(try Self.claims(body.access_token))
            #expect(claims["sub"] as? String == "alice")
            let iat = try #require(claims["iat"] as? Int)
            #expect((before...after).contains(iat))
            #expect(claims["exp"] as? Int == iat + 3600)

            let me = try await client.request(.get, "/api/me", headers: [.authorization: "Bearer \(body.access_token)"])
            let user = try me.decoded(UserBody.self)
            #expect(me.status == .ok && user.name == "alice" && user.role == "user")
            // grant_type may be left out, as FastAPI's OAuth2PasswordRequestForm allows.
            #expect(try await Self.tokenRequest(client, "username=alice&password=alice-password").status == .ok)
        }
    }

    @Test func wrongCredentialsAndMalformedFormsAreRefused() async throws {
        let app = try TestApp()
        try await app.accounts().add(name: "alice", password: "alice-password", isAdmin: false)
        try await app.router(anonymous: true) { client in
            for body in ["username=alice&password=wrong-password", "username=nobody&password=alice-password"] {
                let refused = try await Self.tokenRequest(client, body)
                #expect(refused.status == .unauthorized && refused.headers[.wwwAuthenticate] == "Bearer")
                #expect(try refused.decoded(ErrorBody.self) == ErrorBody(detail: .message("Incorrect username or password.")))
            }
            let missing = try await Self.tokenRequest(client, "username=alice")
            #expect(missing.status == .unprocessableContent)
            let issues = try missing.decoded(ErrorBody.self)
            #expect(
                issues.detail == .issues([ValidationIssue(location: ["body", "password"], message: "Field required", type: "missing", input: nil)])
            )
            let json = try await client.request(.post, "/api/token", json: #"{"username": "alice", "password": "alice-password"}"#)
            #expect(json.status == .unprocessableContent, "the token endpoint takes a form, as OAuth2 says")
            let grant = try await Self.tokenRequest(client, "grant_type=client_credentials&username=alice&password=alice-password")
            #expect(grant.status == .badRequest)
        }
    }

    @Test func everyAPIRouteNeedsAUserButTheSiteAndShareLinksDoNot() async throws {
        try await TestApp().router(anonymous: true) { client in
            let routes: [(HTTPRequest.Method, String)] = [
                (.get, "/api/files"), (.post, "/api/files?name=a"), (.put, "/api/files?name=a"), (.get, "/api/files/AAAAAAAAAAAAAAAAAAAAAA"),
                (.patch, "/api/files/AAAAAAAAAAAAAAAAAAAAAA"), (.put, "/api/files/AAAAAAAAAAAAAAAAAAAAAA"),
                (.delete, "/api/files/AAAAAAAAAAAAAAAAAAAAAA"), (.put, "/api/files/AAAAAAAAAAAAAAAAAAAAAA/content"),
                (.get, "/api/files/AAAAAAAAAAAAAAAAAAAAAA/download"), (.head, "/api/files/AAAAAAAAAAAAAAAAAAAAAA/download"),
                (.post, "/api/files/AAAAAAAAAAAAAAAAAAAAAA/links"), (.get, "/api/files/AAAAAAAAAAAAAAAAAAAAAA/links"),
                (.delete, "/api/links/AAAAAAAAAAAAAAAAAAAAAA"), (.get, "/api/me"),
            ]
            for (method, path) in routes {
                let response = try await client.request(method, path, body: method == .get || method == .head ? nil : "data")
                #expect(response.status == .unauthorized, "\(method) \(path)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer", "\(method) \(path)")
                if method != .head {
                    #expect(try response.decoded(ErrorBody.self) == ErrorBody(detail: .message("Not authenticated")))
                }
            }
            let basic = try await client.request(.get, "/api/files", headers: [.authorization: "Basic YWRtaW46cGFzc3dvcmQ="])
            #expect(basic.status == .unauthorized)
            #expect(try await client.request(.get, "/").status == .ok)
            #expect(try await client.request(.get, "/healthz").status == .ok)
        }
    }

    /// A token whose payload was changed, one with `alg: none`, one signed with another key, and
    /// an expired one all answer 401 with `WWW-Authenticate: Bearer`.
    @Test func forgedAndExpiredTokensAreRefused() async throws {
        let app = try TestApp()
        try await app.accounts().add(name: "alice", password: "alice-password", isAdmin: false)
        let alice = try await app.token(for: "alice")
        // Each forgery names admin at admin's own token generation: only what is forged refuses it.
        let generation = try await Wharf.openStorage(configuration: app.configuration, logger: TestApp.logger).users.user(named: "admin")
            .tokenGeneration
        let parts = alice.split(separator: ".").map(String.init)
        let elevated = try Self.base64URL(
            JSONSerialization.data(
                withJSONObject: (try #require(try Self.claims(alice))).merging(["sub": "admin", "gen": generation]) { $1 }
            )
        )
        let unsigned = Self.base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + elevated + "."
        let otherKey = await BearerTokens(secret: Array("another secret of more than thirty-two bytes".utf8), lifetime: .seconds(3600))
        let secret = Array(app.configuration.jwtSecret!.utf8)
        let genuine = await BearerTokens(secret: secret, lifetime: .seconds(3600))
        let expired = try await genuine.issue(user: "admin", generation: generation, now: Date().addingTimeInterval(-7200))
        let forged = [
            "changed payload": parts[0] + "." + elevated + "." + parts[2],
            "alg none": unsigned,
            "wrong key": try await otherKey.issue(user: "admin", generation: generation),
            "expired": expired,
            "not a JWT": "not-a-token",
        ]
        try await app.router(anonymous: true) { client in
            #expect(try await client.request(.get, "/api/files", headers: [.authorization: "Bearer \(alice)"]).status == .ok)
            let admin = try await genuine.issue(user: "admin", generation: generation)
            #expect(try await client.request(.get, "/api/files", headers: [.authorization: "Bearer \(admin)"]).status == .ok)
            for (kind, token) in forged {
                let response = try await client.request(.get, "/api/files", headers: [.authorization: "Bearer \(token)"])
                #expect(response.status == .unauthorized, "\(kind)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer error=\"invalid_token\"", "\(kind)")
            }
        }
    }

    /// A token issued before a change of password, or to a user since deleted, no longer works,
    /// not even for a later user given the same name.
    @Test func aPasswordChangeOrDeletionRevokesEarlierTokens() async throws {
        let app = try TestApp()
        let accounts = try await app.accounts()
        try await accounts.add(name: "alice", password: "alice-password", isAdmin: false)
        try await accounts.add(name: "bob", password: "bob-password", isAdmin: false)
        let alice = try await app.token(for: "alice")
        let bob = try await app.token(for: "bob")
        try await app.router(anonymous: true) { client in
            for token in [alice, bob] {
                #expect(try await client.request(.get, "/api/me", headers: [.authorization: "Bearer \(token)"]).status == .ok)
            }
            try await accounts.changePassword(of: "alice", to: "a-new-password")
            try await accounts.delete(named: "bob")
            for token in [alice, bob] {
                #expect(try await client.request(.get, "/api/me", headers: [.authorization: "Bearer \(token)"]).status == .unauthorized)
            }
            let fresh = try await Self.tokenRequest(client, "username=alice&password=a-new-password").decoded(TokenBody.self)
            #expect(try await client.request(.get, "/api/me", headers: [.authorization: "Bearer \(fresh.access_token)"]).status == .ok)
            try await accounts.add(name: "bob", password: "another-bob-password", isAdmin: false)
            #expect(try await client.request(.get, "/api/me", headers: [.authorization: "Bearer \(bob)"]).status == .unauthorized)
        }
    }

    /// Without `--jwt-secret` a key is made once and kept in the storage root (owner-only), so a
    /// token outlives a restart.
    @Test func aGeneratedKeyIsKeptAcrossRestarts() async throws {
        let app = try TestApp { $0.jwtSecret = nil }
        let token = try await app.router(anonymous: true) { client in
            try await Self.tokenRequest(client, "username=admin&password=\(TestApp.adminPassword)").decoded(TokenBody.self).access_token
        }
        let path = app.configuration.storageDirectory + "/jwt-secret"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let status = try await app.router(anonymous: true) { client in
            try await client.request(.get, "/api/me", headers: [.authorization: "Bearer \(token)"]).status
        }
        #expect(status == .ok)
    }

    static func claims(_ token: String) throws -> [String: Any]? {
        let payload = token.split(separator: ".")[1]
        var base64 = payload.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return try JSONSerialization.jsonObject(with: try #require(Data(base64Encoded: base64))) as? [String: Any]
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
