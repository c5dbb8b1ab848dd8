import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import TestSupport
import Testing

/// Storage quotas over the API: refused with 413 before the bytes are stored when the size is
/// declared, mid-stream when it is not, with nothing left behind; content a user already has
/// counts once.
@Suite struct QuotaTests {
    static func app(_ configure: (inout AppConfiguration) -> Void = { _ in }) async throws -> (TestApp, HTTPFields) {
        let app = try TestApp(configure)
        try await app.accounts().add(name: "alice", password: "alice-password", isAdmin: false, quota: 100)
        return (app, [.authorization: "Bearer \(try await app.token(for: "alice"))"])
    }

    /// The error of a PUT of `size` bytes with their length declared, which must answer 413.
    static func refusedDeclaredUpload(_ client: any TestClientProtocol, _ path: String, size: Int, headers: HTTPFields) async throws -> ErrorBody {
        var declared = headers
        declared[.contentLength] = String(size)
        let refused = try await client.request(.put, path, body: String(repeating: "b", count: size), headers: declared)
        #expect(refused.status == .contentTooLarge)
        return try refused.decoded(ErrorBody.self)
    }

    @Test func aDeclaredUploadPastTheQuotaIsRefusedBeforeItIsStored() async throws {
        let (app, alice) = try await Self.app()
        try await app.router { client in
            let first = try await client.request(.put, "/api/files?name=a", body: String(repeating: "a", count: 60), headers: alice)
            #expect(first.status == .created)
            let blobs = app.blobFiles
            let refused = try await Self.refusedDeclaredUpload(client, "/api/files?name=b", size: 41, headers: alice)
            #expect(refused == ErrorBody(detail: .message("The upload would pass your storage quota: 40 bytes are left.")))
            #expect(app.blobFiles == blobs && app.stagedFiles.isEmpty)
            let listed = try await client.request(.get, "/api/files", headers: alice).decoded(FilePageBody.self)
            #expect(listed.items.map(\.name) == ["a"])
            // Exactly what is left fits.
            #expect(try await client.request(.put, "/api/files?name=c", body: String(repeating: "c", count: 40), headers: alice).status == .created)
        }
    }

    /// A chunked upload (no declared size) and a form are cut off once they pass the quota; the
    /// staged bytes go.
    @Test func undeclaredUploadsAreRefusedMidStream() async throws {
        let (app, alice) = try await Self.app()
        let source = app.directory.path + "/big"
        try await Fixtures.randomFile(at: source, size: 1 << 20)
        let token = try #require(alice[.authorization])
        try await app.live { client in
            let port = client.port!
            let auth = ["-H", "Authorization: \(token)"]
            let chunked = try await Curl.request(port: port, "/api/files?name=big", auth + ["-H", "Transfer-Encoding: chunked", "-T", source])
            #expect(chunked.status == 413)
            #expect(
                try chunked.decoded(ErrorBody.self) == ErrorBody(detail: .message("The upload would pass your storage quota: 100 bytes are left."))
            )
            let form = try await Curl.request(port: port, "/api/files", auth + ["-F", "file=@\(source)"])
            #expect(form.status == 413)
            #expect(try await app.holdsNothing(port: port))
        }
    }

    /// Two files with the same bytes count once: 40 + 40 (the same) + 50 fits in 100.
    @Test func contentAUserAlreadyHasCountsOnce() async throws {
        let (app, alice) = try await Self.app()
        try await app.router { client in
            let same = String(repeating: "s", count: 40)
            for name in ["one", "two"] {
                #expect(try await client.request(.put, "/api/files?name=\(name)", body: same, headers: alice).status == .created)
            }
            let more = try await client.request(.put, "/api/files?name=three", body: String(repeating: "m", count: 50), headers: alice)
            #expect(more.status == .created)
            let over = try await client.request(.put, "/api/files?name=four", body: String(repeating: "o", count: 11), headers: alice)
            #expect(over.status == .contentTooLarge)
        }
    }

    /// `GET /api/me` shows what a user's files hold as their quota counts it (shared content
    /// once), and the quota that applies: their own, the server's default, or `null` for none.
    @Test func theSignedInUserSeesWhatTheirFilesHoldAgainstTheirQuota() async throws {
        let (app, alice) = try await Self.app { $0.defaultQuota = ByteSize(bytes: 1000) }
        try await app.accounts().add(name: "bob", password: "bob-password", isAdmin: false)
        let bob: HTTPFields = [.authorization: "Bearer \(try await app.token(for: "bob"))"]
        try await app.router { (client) async throws -> Void in
            /// Who `headers` sign in as: name, role, bytes used, quota.
            func me(_ headers: HTTPFields) async throws -> [String?] {
                let user = try await client.request(.get, "/api/me", headers: headers).decoded(UserBody.self)
                return [user.name, user.role, String(user.used), user.quota.map(String.init)]
            }
            #expect(try await me(alice) == ["alice", "user", "0", "100"])
            let same = String(repeating: "s", count: 40)
            for name in ["one", "two"] {
                #expect(try await client.request(.put, "/api/files?name=\(name)", body: same, headers: alice).status == .created)
            }
            #expect(
                try await client.request(.put, "/api/files?name=three", body: String(repeating: "m", count: 50), headers: alice).status == .created
            )
            #expect(try await me(alice) == ["alice", "user", "90", "100"])
            // Another user's files are not theirs, though the same content is stored once.
            #expect(try await client.request(.put, "/api/files?name=copy", body: same, headers: bob).status == .created)
            #expect(try await me(bob) == ["bob", "user", "40", "1000"])
            #expect(try await me(alice)[2] == "90")

            // An unfinished resumable upload holds its declared length against the quota: shown
            // as pending until it becomes a file.
            let tus: HTTPFields = alice + [HTTPField.Name("Tus-Resumable")!: "1.0.0"]
            let created = try await client.request(.post, "/api/uploads/", headers: tus + [HTTPField.Name("Upload-Length")!: "5"])
            let upload = try #require(created.headers[.location])
            func pending() async throws -> Int64 { try await client.request(.get, "/api/me", headers: alice).decoded(UserBody.self).pending }
            #expect(try await pending() == 5)
            let patched = try await client.request(
                .patch,
                upload,
                body: "fifth",
                headers: tus + [HTTPField.Name("Upload-Offset")!: "0", .contentType: "application/offset+octet-stream"]
            )
            #expect(patched.status == .noContent)
            #expect(try await pending() == 0)
            #expect(try await me(alice)[2] == "95")
        }
        // `wharf user list` shows the same figures.
        let listed = try await app.accounts().list().map { [$0.name, $0.used, $0.quota] }
        #expect(listed == [["admin", "0", "default"], ["alice", "95", "100"], ["bob", "40", "default"]])
        let unlimited = try await TestApp().router { client in
            String(buffer: try await client.request(.get, "/api/me").body)
        }
        #expect(unlimited.contains("\"quota\":null") && unlimited.contains("\"used\":0"))
    }

    /// `--default-quota` limits users without a quota of their own; a user's own quota wins.
    @Test func theDefaultQuotaAppliesToUsersWithoutTheirOwn() async throws {
        let (app, alice) = try await Self.app { $0.defaultQuota = ByteSize(bytes: 10) }
        try await app.accounts().add(name: "bob", password: "bob-password", isAdmin: false)
        let bob: HTTPFields = [.authorization: "Bearer \(try await app.token(for: "bob"))"]
        try await app.router { (client) async throws -> Void in
            let body = String(repeating: "x", count: 50)
            #expect(try await client.request(.put, "/api/files?name=x", body: body, headers: bob).status == .contentTooLarge)
            #expect(try await client.request(.put, "/api/files?name=x", body: body, headers: alice).status == .created)
        }
    }

    /// An admin's new content for another user's file counts against that user's quota, not the
    /// admin's own: refused past it (the file unchanged), taken within it however small the
    /// admin's own quota is.
    @Test func anAdminReplacingAUsersFileIsHeldToThatUsersQuota() async throws {
        let (app, alice) = try await Self.app()
        try await app.accounts().add(name: "root", password: "root-password", isAdmin: true, quota: 10)
        let root: HTTPFields = [.authorization: "Bearer \(try await app.token(for: "root"))"]
        try await app.router { client in
            let created = try await client.request(.put, "/api/files?name=a", body: String(repeating: "a", count: 60), headers: alice)
            let file = try created.decoded(FileRecordBody.self)
            let blobs = app.blobFiles
            let refused = try await Self.refusedDeclaredUpload(client, "/api/files/\(file.id)/content", size: 101, headers: root)
            #expect(
                refused == ErrorBody(detail: .message("The upload would pass the storage quota of the file's owner 'alice': 100 bytes are left."))
            )
            #expect(app.blobFiles == blobs && app.stagedFiles.isEmpty)
            let kept = try await client.request(.get, "/api/files/\(file.id)", headers: alice).decoded(FileRecordBody.self)
            #expect(kept.sha256 == file.sha256)

            let replaced = try await client.request(.put, "/api/files/\(file.id)/content", body: String(repeating: "c", count: 100), headers: root)
            #expect(replaced.status == .ok)
            #expect(try replaced.decoded(FileRecordBody.self).size == 100)
        }
    }
}
