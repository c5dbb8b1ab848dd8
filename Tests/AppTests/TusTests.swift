import App
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import TestSupport
import Testing

/// The tus 1.0.0 protocol at `/api/uploads/`, header by header, with its error statuses.
@Suite struct TusTests {
    static let tus: HTTPFields = [HTTPField.Name("Tus-Resumable")!: "1.0.0"]
    static let stream: HTTPFields = tus + [.contentType: "application/offset+octet-stream"]

    static func header(_ name: String) -> HTTPField.Name { HTTPField.Name(name)! }

    /// Creates an upload; its path.
    static func create(_ client: some TestClientProtocol, length: Int?, _ extra: HTTPFields = [:]) async throws -> String {
        var headers = Self.tus + extra
        if let length { headers[Self.header("Upload-Length")] = String(length) }
        let created = try await client.request(.post, "/api/uploads/", headers: headers)
        #expect(created.status == .created, "\(String(buffer: created.body))")
        return try #require(created.headers[.location])
    }

    static func patch(
        _ client: some TestClientProtocol,
        _ path: String,
        offset: Int,
        _ body: String,
        _ extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await client.request(.patch, path, body: body, headers: Self.stream + [Self.header("Upload-Offset"): String(offset)] + extra)
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test func optionsNamesTheVersionExtensionsLimitAndChecksums() async throws {
        try await TestApp { $0.maxUploadSize = ByteSize(bytes: 1 << 20) }.router(anonymous: true) { client in
            let options = try await client.request(.options, "/api/uploads/")
            #expect(options.status == .noContent)
            #expect(options.headers[Self.header("Tus-Version")] == "1.0.0")
            #expect(options.headers[Self.header("Tus-Resumable")] == "1.0.0")
            #expect(options.headers[Self.header("Tus-Max-Size")] == String(1 << 20))
            #expect(options.headers[Self.header("Tus-Checksum-Algorithm")] == "sha1,md5,sha256")
            let extensions = Set((options.headers[Self.header("Tus-Extension")] ?? "").split(separator: ","))
            #expect(
                extensions == [
                    "creation", "creation-with-upload", "creation-defer-length", "termination", "checksum", "expiration", "concatenation",
                ]
            )
            // Everything else needs a user.
            #expect(try await client.request(.post, "/api/uploads/", headers: Self.tus + [Self.header("Upload-Length"): "1"]).status == .unauthorized)
        }
    }

    /// `Tus-Max-Size` is the file limit when there is one: a file larger than any one request may
    /// carry comes in pieces.
    @Test func theFileLimitBoundsAnUploadLargerThanABody() async throws {
        let app = try TestApp {
            $0.maxUploadSize = ByteSize(bytes: 1000)
            $0.maxFileSize = ByteSize(bytes: 3000)
        }
        try await app.router { client in
            let options = try await client.request(.options, "/api/uploads/")
            #expect(options.headers[Self.header("Tus-Max-Size")] == "3000")
            let tooLarge = try await client.request(.post, "/api/uploads/", headers: Self.tus + [Self.header("Upload-Length"): "3001"])
            #expect(tooLarge.status == .contentTooLarge)
            let path = try await Self.create(client, length: 2500)
            // A piece larger than a request may carry is refused before a byte of it is kept,
            // and so is a first piece sent with the creation, which then leaves no upload.
            let oversized = try await Self.patch(client, path, offset: 0, String(repeating: "x", count: 1001))
            #expect(oversized.status == .contentTooLarge)
            #expect(try oversized.decoded(ErrorBody.self).detail.description.contains("one request carries at most 1000"))
            #expect(try await client.request(.head, path, headers: Self.tus).headers[Self.header("Upload-Offset")] == "0")
            let createdWithPiece = try await client.request(
                .post,
                "/api/uploads/",
                body: String(repeating: "x", count: 1001),
                headers: Self.tus + [Self.header("Upload-Length"): "2500", .contentType: "application/offset+octet-stream"]
            )
            #expect(createdWithPiece.status == .contentTooLarge && createdWithPiece.headers[.location] == nil)
            let uploads = try FileManager.default.contentsOfDirectory(atPath: app.configuration.storageDirectory + "/resumable")
            #expect(uploads.count == 1, "the upload made before, and no other: \(uploads)")
            let pieces = [String(repeating: "a", count: 1000), String(repeating: "b", count: 1000), String(repeating: "c", count: 500)]
            var offset = 0
            var last: TestResponse?
            for piece in pieces {
                last = try await Self.patch(client, path, offset: offset, piece)
                #expect(last?.status == .noContent)
                offset += piece.utf8.count
            }
            let fileURL = try #require(last?.headers[Self.header("Wharf-File-URL")])
            #expect(String(buffer: try await client.request(.get, fileURL + "/download").body) == pieces.joined())
        }
    }

    @Test func creationAndItsRefusals() async throws {
        try await TestApp { $0.maxUploadSize = ByteSize(bytes: 1000) }.router { client in
            let noVersion = try await client.request(.post, "/api/uploads/", headers: [Self.header("Upload-Length"): "5"])
            #expect(noVersion.status == .preconditionFailed && noVersion.headers[Self.header("Tus-Version")] == "1.0.0")
            let wrongVersion = try await client.request(
                .post,
                "/api/uploads/",
                headers: [Self.header("Tus-Resumable"): "0.2.2", Self.header("Upload-Length"): "5"]
            )
            #expect(wrongVersion.status == .preconditionFailed)
            #expect(try await client.request(.post, "/api/uploads/", headers: Self.tus).status == .badRequest, "no length")
            var both = Self.tus
            both[Self.header("Upload-Length")] = "5"
            both[Self.header("Upload-Defer-Length")] = "1"
            #expect(try await client.request(.post, "/api/uploads/", headers: both).status == .badRequest)
            let tooLarge = try await client.request(.post, "/api/uploads/", headers: Self.tus + [Self.header("Upload-Length"): "1001"])
            #expect(tooLarge.status == .contentTooLarge && tooLarge.headers[Self.header("Tus-Resumable")] == "1.0.0")
            let badMetadata = Self.tus + [Self.header("Upload-Length"): "5", Self.header("Upload-Metadata"): "filename not*base64"]
            #expect(try await client.request(.post, "/api/uploads/", headers: badMetadata).status == .badRequest)

            let metadata = "filename \(Self.base64("notes.txt")),is_confidential"
            let created = try await client.request(
                .post,
                "/api/uploads/",
                headers: Self.tus + [Self.header("Upload-Length"): "11", Self.header("Upload-Metadata"): metadata]
            )
            #expect(created.status == .created && created.headers[Self.header("Tus-Resumable")] == "1.0.0")
            #expect(created.headers[Self.header("Upload-Expires")]?.hasSuffix(" GMT") == true)
            let path = try #require(created.headers[.location])
            #expect(path.hasPrefix("/api/uploads/") && path.count == "/api/uploads/".count + 22)
            let head = try await client.request(.head, path, headers: Self.tus)
            #expect(head.status == .ok && head.headers[Self.header("Upload-Offset")] == "0" && head.headers[Self.header("Upload-Length")] == "11")
            #expect(head.headers[Self.header("Upload-Metadata")] == metadata && head.headers[.cacheControl] == "no-store")
        }
    }

    @Test func patchesAppendAtTheirOffsetAndTheLastMakesTheFile() async throws {
        try await TestApp().router { client in
            let path = try await Self.create(client, length: 11, [Self.header("Upload-Metadata"): "filename \(Self.base64("hello.txt"))"])
            #expect(
                try await client.request(.patch, path, body: "hello", headers: Self.tus + [Self.header("Upload-Offset"): "0"]).status
                    == .unsupportedMediaType
            )
            #expect(try await client.request(.patch, path, body: "hello", headers: Self.stream).status == .badRequest, "no offset")
            let first = try await Self.patch(client, path, offset: 0, "hello")
            #expect(
                first.status == .noContent && first.headers[Self.header("Upload-Offset")] == "5"
                    && first.headers[Self.header("Wharf-File-URL")] == nil
            )
            let conflict = try await Self.patch(client, path, offset: 3, "lo wo")
            #expect(conflict.status == .conflict && conflict.headers[Self.header("Tus-Resumable")] == "1.0.0")
            #expect(try await Self.patch(client, path, offset: 5, " world and more").status == .contentTooLarge)
            #expect(
                try await client.request(.head, path, headers: Self.tus).headers[Self.header("Upload-Offset")] == "5",
                "refused pieces leave nothing"
            )
            let last = try await Self.patch(client, path, offset: 5, " world")
            #expect(last.status == .noContent && last.headers[Self.header("Upload-Offset")] == "11")
            let fileURL = try #require(last.headers[Self.header("Wharf-File-URL")])
            let record = try await client.request(.get, fileURL).decoded(FileRecordBody.self)
            #expect(record.name == "hello.txt" && record.size == 11 && record.contentType == "text/plain")
            #expect(String(buffer: try await client.request(.get, fileURL + "/download").body) == "hello world")
            // The finished upload keeps answering with its final offset.
            let head = try await client.request(.head, path, headers: Self.tus)
            #expect(head.headers[Self.header("Upload-Offset")] == "11" && head.headers[Self.header("Wharf-File-URL")] == fileURL)
            #expect(try await Self.patch(client, path, offset: 11, "").status == .noContent)
        }
    }

    @Test func aPieceThatDoesNotMatchItsChecksumIsDropped() async throws {
        try await TestApp().router { client in
            let path = try await Self.create(client, length: 12)
            func checksum(_ algorithm: String, _ digest: some Sequence<UInt8>) -> HTTPFields {
                [Self.header("Upload-Checksum"): "\(algorithm) \(Data(digest).base64EncodedString())"]
            }
            let wrong = try await Self.patch(client, path, offset: 0, "abcd", checksum("sha256", SHA256.hash(data: Data("abce".utf8))))
            #expect(wrong.status.code == 460)
            #expect(try await client.request(.head, path, headers: Self.tus).headers[Self.header("Upload-Offset")] == "0")
            let unknown = try await Self.patch(client, path, offset: 0, "abcd", [Self.header("Upload-Checksum"): "crc32 AAAA"])
            #expect(unknown.status == .badRequest)
            var offset = 0
            for (algorithm, digest) in [
                ("sha256", Array(SHA256.hash(data: Data("abcd".utf8)))), ("sha1", Array(Insecure.SHA1.hash(data: Data("efgh".utf8)))),
                ("md5", Array(Insecure.MD5.hash(data: Data("ijkl".utf8)))),
            ] {
                let piece = String("abcdefghijkl".dropFirst(offset).prefix(4))
                let reply = try await Self.patch(client, path, offset: offset, piece, checksum(algorithm, digest))
                #expect(reply.status == .noContent, "\(algorithm)")
                offset += 4
            }
            #expect(try await client.request(.head, path, headers: Self.tus).headers[Self.header("Wharf-File-URL")] != nil)
        }
    }

    @Test func terminationDeferredLengthAndMethodOverride() async throws {
        try await TestApp().router { client in
            let doomed = try await Self.create(client, length: 10)
            _ = try await Self.patch(client, doomed, offset: 0, "12345")
            #expect(try await client.request(.delete, doomed, headers: Self.tus).status == .noContent)
            #expect(try await client.request(.head, doomed, headers: Self.tus).status == .notFound)

            let deferred = try await Self.create(client, length: nil, [Self.header("Upload-Defer-Length"): "1"])
            let head = try await client.request(.head, deferred, headers: Self.tus)
            #expect(head.headers[Self.header("Upload-Defer-Length")] == "1" && head.headers[Self.header("Upload-Length")] == nil)
            _ = try await Self.patch(client, deferred, offset: 0, "abc")
            // Behind a proxy that blocks PATCH: POST with X-HTTP-Method-Override.
            let overridden = try await client.request(
                .post,
                deferred,
                body: "def",
                headers: Self.stream + [
                    Self.header("X-HTTP-Method-Override"): "PATCH", Self.header("Upload-Offset"): "3", Self.header("Upload-Length"): "6",
                ]
            )
            #expect(overridden.status == .noContent && overridden.headers[Self.header("Wharf-File-URL")] != nil)
            #expect(try await client.request(.post, deferred, headers: Self.tus).status == .methodNotAllowed)
        }
    }

    @Test func creationWithUploadAndConcatenationMakeFiles() async throws {
        try await TestApp().router { client in
            let created = try await client.request(
                .post,
                "/api/uploads/",
                body: "all at once",
                headers: Self.stream + [Self.header("Upload-Length"): "11"]
            )
            #expect(created.status == .created && created.headers[Self.header("Upload-Offset")] == "11")
            #expect(created.headers[Self.header("Wharf-File-URL")] != nil)

            var parts: [String] = []
            for text in ["first half, ", "second half"] {
                let part = try await Self.create(client, length: text.utf8.count, [Self.header("Upload-Concat"): "partial"])
                let sent = try await Self.patch(client, part, offset: 0, text)
                #expect(sent.headers[Self.header("Wharf-File-URL")] == nil, "a part is no file")
                parts.append(part)
            }
            let unfinished = try await Self.create(client, length: 5, [Self.header("Upload-Concat"): "partial"])
            let refused = try await client.request(
                .post,
                "/api/uploads/",
                headers: Self.tus + [Self.header("Upload-Concat"): "final;\(parts[0]) \(unfinished)"]
            )
            #expect(refused.status == .badRequest)
            let final = try await client.request(
                .post,
                "/api/uploads/",
                headers: Self.tus + [Self.header("Upload-Concat"): "final;\(parts[0]) http://127.0.0.1\(parts[1])"]
            )
            #expect(final.status == .created)
            let fileURL = try #require(final.headers[Self.header("Wharf-File-URL")])
            #expect(String(buffer: try await client.request(.get, fileURL + "/download").body) == "first half, second half")
            let location = try #require(final.headers[.location])
            #expect(try await Self.patch(client, location, offset: 23, "more").status == .forbidden)
            let head = try await client.request(.head, location, headers: Self.tus)
            #expect(head.headers[Self.header("Upload-Concat")]?.hasPrefix("final;/api/uploads/") == true)
        }
    }

    /// `description` and `tags` in Upload-Metadata (as Uppy sends any meta field) become the
    /// file's, held to the rules a form's are; tags that break them refuse the creation, before a
    /// byte is stored.
    @Test func theMetadataGivesTheFileItsDescriptionAndTags() async throws {
        let app = try TestApp()
        try await app.router { client in
            let metadata =
                "filename \(Self.base64("notes.txt")),description \(Self.base64("From the field")),tags \(Self.base64(" trip, Trip ,2026"))"
            let path = try await Self.create(client, length: 5, [Self.header("Upload-Metadata"): metadata])
            let done = try await Self.patch(client, path, offset: 0, "hello")
            let fileURL = try #require(done.headers[Self.header("Wharf-File-URL")])
            let file = try await client.request(.get, fileURL).decoded(FileRecordBody.self)
            #expect(file.name == "notes.txt" && file.description == "From the field" && file.tags == ["trip", "2026"])

            for (metadata, reason) in [
                ("tags \(Self.base64(String(repeating: "t", count: 65)))", "longer than 64"),
                ("description \(Self.base64(String(repeating: "d", count: 4097)))", "longer than 4096"),
            ] {
                let refused = try await client.request(
                    .post,
                    "/api/uploads/",
                    headers: Self.tus + [Self.header("Upload-Length"): "5", Self.header("Upload-Metadata"): metadata]
                )
                #expect(refused.status == .badRequest || refused.status == .contentTooLarge)
                #expect(try refused.decoded(ErrorBody.self).detail.description.contains(reason))
            }
            let folders = try FileManager.default.contentsOfDirectory(atPath: app.configuration.storageDirectory + "/resumable")
            #expect(folders.count == 1, "only the finished upload's status: \(folders)")
        }
    }

    /// Another user's upload is not found; an upload over the quota is refused at creation.
    @Test func uploadsBelongToTheirOwner() async throws {
        let app = try TestApp()
        try await app.accounts().add(name: "bob", password: "bob-password", isAdmin: false, quota: 100)
        let bob = try await app.token(for: "bob")
        try await app.router { client in
            let bobs: HTTPFields = [.authorization: "Bearer " + bob]
            let path = try await Self.create(client, length: 5, bobs)
            #expect(try await client.request(.head, path, headers: Self.tus + bobs).status == .ok)
            #expect(try await client.request(.head, path, headers: Self.tus).status == .ok, "an admin sees every upload")
            let overQuota = try await client.request(.post, "/api/uploads/", headers: Self.tus + bobs + [Self.header("Upload-Length"): "101"])
            #expect(overQuota.status == .contentTooLarge)
        }
        try await app.accounts().add(name: "carol", password: "carol-password", isAdmin: false)
        let carol = try await app.token(for: "carol")
        try await app.router { client in
            let path = try await Self.create(client, length: 5, [.authorization: "Bearer " + bob])
            #expect(try await client.request(.head, path, headers: Self.tus + [.authorization: "Bearer " + carol]).status == .notFound)
        }
    }

    /// Unfinished uploads count against the quota as they will be (their declared length) or as
    /// they are (what an upload of deferred length holds): they cannot hold more than it on the
    /// disk, however many there are.
    @Test func unfinishedUploadsCountAgainstTheQuota() async throws {
        let app = try TestApp()
        try await app.accounts().add(name: "bob", password: "bob-password", isAdmin: false, quota: 100)
        let bob: HTTPFields = [.authorization: "Bearer " + (try await app.token(for: "bob"))]
        try await app.router { client in
            let sixty = try await Self.create(client, length: 60, bob)
            let fifty = try await client.request(.post, "/api/uploads/", headers: Self.tus + bob + [Self.header("Upload-Length"): "50"])
            #expect(fifty.status == .contentTooLarge, "60 bytes are promised to the first")
            let deferred = try await client.request(.post, "/api/uploads/", headers: Self.tus + bob + [Self.header("Upload-Defer-Length"): "1"])
            let path = try #require(deferred.headers[.location])
            let tooMuch = try await Self.patch(client, path, offset: 0, String(repeating: "x", count: 50), bob)
            #expect(tooMuch.status == .contentTooLarge)
            #expect(try await Self.patch(client, path, offset: 0, String(repeating: "x", count: 30), bob).status == .noContent)
            let declared = try await Self.patch(client, path, offset: 30, "", bob + [Self.header("Upload-Length"): "80"])
            #expect(declared.status == .contentTooLarge)
            #expect(try await client.request(.delete, sixty, headers: Self.tus + bob).status == .noContent)
            _ = try await Self.create(client, length: 70, bob)
            #expect(try await client.request(.head, path, headers: Self.tus + bob).headers[Self.header("Upload-Offset")] == "30")
        }
    }

    /// An upload not finished within `--tus-expiry` answers 410, and the queue's job removes it.
    @Test func anUnfinishedUploadExpiresAndIsRemoved() async throws {
        let app = try TestApp { $0.tusExpiry = DurationText(.milliseconds(500)) }
        try await app.router { client in
            let path = try await Self.create(client, length: 10)
            _ = try await Self.patch(client, path, offset: 0, "12345")
            try await Task.sleep(for: .milliseconds(600))
            let expired = try await client.request(.head, path, headers: Self.tus)
            #expect(expired.status == .gone || expired.status == .notFound)
            try await waitUntil("the expiry job removes it") {
                app.directory.files(under: "storage/resumable").isEmpty
            }
            #expect(try await client.request(.head, path, headers: Self.tus).status == .notFound)
        }
    }
}

/// Headers with more set (a literal of several computed names is a dictionary).
private func + (fields: HTTPFields, more: [HTTPField.Name: String]) -> HTTPFields {
    var fields = fields
    for (name, value) in more { fields[name] = value }
    return fields
}
