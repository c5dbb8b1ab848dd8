import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import Storage
import TestSupport
import Testing

/// Users managed by an admin over the API (as `wharf user` manages them), in router test mode:
/// listing, adding, changing the quota and the password, deleting with the files given away;
/// anyone else refused.
@Suite struct UsersAPITests {
    static func bearer(_ app: TestApp, _ user: String) async throws -> HTTPFields {
        [.authorization: "Bearer \(try await app.token(for: user))"]
    }

    @Test func onlyAnAdminManagesUsers() async throws {
        let app = try TestApp()
        try await app.accounts().add(name: "alice", password: "alice-password", isAdmin: false)
        let alice = try await Self.bearer(app, "alice")
        try await app.router { client in
            let attempts: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/api/users", nil),
                (.post, "/api/users", #"{"name": "mallory", "password": "mallory-password", "role": "admin"}"#),
                (.patch, "/api/users/alice", #"{"quota": null}"#),
                (.delete, "/api/users/admin", nil),
            ]
            for (method, path, json) in attempts {
                let refused = try await client.request(method, path, json: json, headers: alice)
                #expect(refused.status == .forbidden, "\(method) \(path)")
                #expect(try refused.decoded(ErrorBody.self) == ErrorBody(detail: .message("Only admins manage users.")))
            }
            let names = try await client.request(.get, "/api/users").decoded([UserAccountBody].self).map(\.name)
            #expect(names == ["admin", "alice"])
        }
    }

    @Test func anAdminAddsChangesAndDeletesUsers() async throws {
        let app = try TestApp()
        try await app.router { client in
            let added = try await client.request(.post, "/api/users", json: #"{"name": "bob", "password": "bob-password", "quota": 100}"#)
            #expect(added.status == .created && added.headers[.location] == "/api/users/bob")
            let bob = try added.decoded(UserAccountBody.self)
            #expect(bob.name == "bob" && bob.role == "user" && bob.quota == 100 && bob.used == 0)

            let refusals: [(String, HTTPResponse.Status, String)] = [
                (#"{"name": "bob", "password": "another-password"}"#, .conflict, "A user named 'bob' already exists."),
                (#"{"name": "b o b", "password": "long enough"}"#, .badRequest, "'b o b' is not a user name"),
                (#"{"name": "carol", "password": "short"}"#, .badRequest, "shorter than 8 characters"),
                (#"{"name": "carol", "password": "long enough", "role": "root"}"#, .badRequest, "The role is 'user' or 'admin'."),
            ]
            for (json, status, reason) in refusals {
                let refused = try await client.request(.post, "/api/users", json: json)
                #expect(refused.status == status, "\(json)")
                #expect(try refused.decoded(ErrorBody.self).detail.description.contains(reason), "\(json)")
            }
            #expect(try await client.request(.post, "/api/users", json: #"{"name": "carol"}"#).status == .unprocessableContent)

            // bob signs in with the password given, and uploads within his quota.
            let signedIn = try await client.request(
                .post,
                "/api/token",
                body: "username=bob&password=bob-password",
                headers: [.contentType: "application/x-www-form-urlencoded"]
            )
            let token = try signedIn.decoded(TokenBody.self).access_token
            let asBob: HTTPFields = [.authorization: "Bearer " + token]
            #expect(
                try await client.request(.put, "/api/files?name=b.txt", body: String(repeating: "b", count: 60), headers: asBob).status == .created
            )

            let raised = try await client.request(.patch, "/api/users/bob", json: #"{"quota": 1000}"#).decoded(UserAccountBody.self)
            #expect(raised.quota == 1000 && raised.used == 60)
            let reset = try await client.request(.patch, "/api/users/bob", json: #"{"quota": null, "password": "a-new-password"}"#)
            #expect(try reset.decoded(UserAccountBody.self).quota == nil)
            #expect(try await client.request(.get, "/api/me", headers: asBob).status == .unauthorized, "the new password ends his tokens")
            #expect(try await client.request(.patch, "/api/users/nobody", json: #"{"quota": 1}"#).status == .notFound)

            // bob owns a file: deleted only with it given away.
            let owning = try await client.request(.delete, "/api/users/bob")
            #expect(owning.status == .conflict)
            #expect(try owning.decoded(ErrorBody.self).detail.description.contains("transfer_to"))
            let toHimself = try await client.request(.delete, "/api/users/bob?transfer_to=bob")
            #expect(toHimself.status == .badRequest)
            #expect(try toHimself.decoded(ErrorBody.self).detail.description.contains("name another user"))
            #expect(try await client.request(.delete, "/api/users/bob?transfer_to=nobody").status == .notFound)
            let bobs = try await client.request(.get, "/api/files").decoded(FilePageBody.self).items
            #expect(try await client.request(.delete, "/api/users/bob?transfer_to=admin").status == .noContent)
            let files = try await client.request(.get, "/api/files").decoded(FilePageBody.self).items
            #expect(files.map(\.owner) == ["admin"])
            #expect(files[0].updatedAt > bobs[0].updatedAt, "a file given away is a new version of it")
            #expect(try await client.request(.delete, "/api/users/bob").status == .notFound)
            #expect(try await client.request(.delete, "/api/users/admin").status == .badRequest)
            #expect(try await client.request(.get, "/api/users").decoded([UserAccountBody].self).map(\.name) == ["admin"])
        }
    }
    @Test func aQuotaIsTakenToTheByteAsAWholeNumber() async throws {
        let app = try TestApp()
        try await app.router { client in
            // 2^53 + 1: a Double has no such value, and would have made it 2^53.
            let added = try await client.request(
                .post,
                "/api/users",
                json: #"{"name": "bob", "password": "bob-password", "quota": 9007199254740993}"#
            )
            #expect(try added.decoded(UserAccountBody.self).quota == 9_007_199_254_740_993)
            let whole = try await client.request(.patch, "/api/users/bob", json: #"{"quota": 2.5e3}"#)
            #expect(try whole.decoded(UserAccountBody.self).quota == 2500)
            for json in [#"{"quota": 1.5}"#, #"{"quota": 9223372036854775808}"#] {
                let refused = try await client.request(.patch, "/api/users/bob", json: json)
                #expect(refused.status == .unprocessableContent, "\(json)")
                guard case .issues(let issues) = try refused.decoded(ErrorBody.self).detail else {
                    Issue.record("a 422 lists its issues")
                    continue
                }
                #expect(issues.map(\.type) == ["int_type"] && issues.map(\.location) == [["body", "quota"]], "\(json)")
            }
        }
    }

    @Test func anAdminChangesARoleWhichEndsTheUsersSignIns() async throws {
        let app = try TestApp()
        try await app.accounts().add(name: "bob", password: "bob-password", isAdmin: false)
        let before: HTTPFields = [.authorization: "Bearer " + (try await app.token(for: "bob"))]
        try await app.router { client in
            #expect(try await client.request(.get, "/api/users", headers: before).status == .forbidden)
            let promoted = try await client.request(.patch, "/api/users/bob", json: #"{"role": "admin"}"#)
            #expect(try promoted.status == .ok && promoted.decoded(UserAccountBody.self).role == "admin")
            #expect(try await client.request(.get, "/api/me", headers: before).status == .unauthorized, "a new role ends the old tokens")
            let after: HTTPFields = [.authorization: "Bearer " + (try await app.token(for: "bob"))]
            #expect(try await client.request(.get, "/api/users", headers: after).status == .ok)

            let refusals: [(String, String, HTTPResponse.Status, String)] = [
                ("bob", #"{"role": "root"}"#, .badRequest, "The role is 'user' or 'admin'."),
                ("admin", #"{"role": "user"}"#, .badRequest, "does not change their own role here"),
                ("nobody", #"{"role": "user"}"#, .notFound, "No user is named 'nobody'."),
            ]
            for (name, json, status, reason) in refusals {
                let refused = try await client.request(.patch, "/api/users/\(name)", json: json)
                #expect(refused.status == status, "\(json)")
                #expect(try refused.decoded(ErrorBody.self).detail.description.contains(reason), "\(json)")
            }
            // bob, now an admin, makes the first one a user; the last admin, bob, cannot be.
            #expect(try await client.request(.patch, "/api/users/admin", json: #"{"role": "user"}"#, headers: after).status == .ok)
            let lastAdmin = await #expect(throws: StorageError.self) { try await app.accounts().setRole(of: "bob", isAdmin: false) }
            #expect(lastAdmin?.message == "'bob' is the only admin: make another user an admin first.")
        }
    }
}
