import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import TestSupport
import Testing

/// Who sees what, over the API with real tokens: a user reaches only their own files, and
/// another's answers 404 (ids cannot be probed); an admin reaches every file.
@Suite struct OwnershipTests {
    @Test func aUserCannotReachAnotherUsersFileAndAnAdminCan() async throws {
        let app = try TestApp()
        let accounts = try await app.accounts()
        try await accounts.add(name: "alice", password: "alice-password", isAdmin: false)
        try await accounts.add(name: "bob", password: "bob-password", isAdmin: false)
        let alice: HTTPFields = [.authorization: "Bearer \(try await app.token(for: "alice"))"]
        let bob: HTTPFields = [.authorization: "Bearer \(try await app.token(for: "bob"))"]
        try await app.router { admin in
            let created = try await admin.request(.post, "/api/files?name=alice.txt", body: "alice's words", headers: alice)
            #expect(created.status == .created)
            let file = try created.decoded(FileRecordBody.self)
            #expect(file.owner == "alice")
            let link = try await admin.request(.post, "/api/files/\(file.id)/links", json: "{}", headers: alice).decoded(ShareLinkBody.self)
            let bobs = try await admin.request(.put, "/api/files?name=bob.txt", body: "bob's", headers: bob).decoded(FileRecordBody.self)

            let attempts: [(HTTPRequest.Method, String, String?, HTTPFields)] = [
                (.get, "/api/files/\(file.id)", nil, [:]),
                (.get, "/api/files/\(file.id)/download", nil, [:]),
                (.head, "/api/files/\(file.id)/download", nil, [:]),
                (.patch, "/api/files/\(file.id)", #"{"name": "mine.txt"}"#, [.contentType: "application/json"]),
                (.put, "/api/files/\(file.id)", #"{"name": "mine.txt", "description": "", "tags": []}"#, [.contentType: "application/json"]),
                (.put, "/api/files/\(file.id)/content", "overwritten", [:]),
                (.post, "/api/files/\(file.id)/links", "{}", [.contentType: "application/json"]),
                (.get, "/api/files/\(file.id)/links", nil, [:]),
                (.delete, "/api/links/\(link.token)", nil, [:]),
                (.delete, "/api/files/\(file.id)", nil, [:]),
            ]
            for (method, path, body, headers) in attempts {
                var headers = headers
                headers.append(contentsOf: bob)
                let response = try await admin.request(method, path, body: body, headers: headers)
                #expect(response.status == .notFound, "bob: \(method) \(path)")
            }
            let bobsList = try await admin.request(.get, "/api/files", headers: bob).decoded(FilePageBody.self)
            #expect(bobsList.items.map(\.id) == [bobs.id])
            // Asking for alice's files, bob finds none.
            #expect(try await admin.request(.get, "/api/files?owner=alice", headers: bob).decoded(FilePageBody.self).items.isEmpty)

            // Nothing of alice's changed, and her link still works.
            let seen = try await admin.request(.get, "/api/files/\(file.id)", headers: alice).decoded(FileRecordBody.self)
            #expect(seen.name == "alice.txt" && seen.sha256 == file.sha256)
            let download = try await admin.request(.get, "/api/files/\(file.id)/download", headers: alice)
            #expect(String(buffer: download.body) == "alice's words")
            #expect(try await admin.request(.get, link.url).status == .ok)

            // The admin sees both, and may change either.
            let all = try await admin.request(.get, "/api/files?sort=name").decoded(FilePageBody.self)
            #expect(all.items.map(\.name) == ["alice.txt", "bob.txt"])
            let alicesOnly = try await admin.request(.get, "/api/files?owner=alice").decoded(FilePageBody.self)
            #expect(alicesOnly.items.map(\.name) == ["alice.txt"])
            #expect(try await admin.request(.delete, "/api/files/\(bobs.id)").status == .noContent)
        }
    }

    /// A share link downloads without any credentials.
    @Test func aShareLinkNeedsNoSignIn() async throws {
        try await TestApp().router { client in
            let file = try await client.request(.post, "/api/files?name=a.txt", body: "shared").decoded(FileRecordBody.self)
            let link = try await client.request(.post, "/api/files/\(file.id)/links", json: "{}").decoded(ShareLinkBody.self)
            let anonymous = try #require(client as? SignedInClient).anonymous
            let download = try await anonymous.request(.get, link.url)
            #expect(download.status == .ok && String(buffer: download.body) == "shared")
        }
    }
}
