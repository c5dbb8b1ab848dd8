import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import TestSupport
import Testing

/// The files resource in router test mode, its answers decoded as the API's types.
@Suite struct FilesAPITests {
    static func upload(_ client: some TestClientProtocol, _ name: String, _ body: String, type: String? = nil) async throws -> FileRecordBody {
        let headers: HTTPFields = type.map { [.contentType: $0] } ?? [:]
        let reply = try await client.request(.post, "/api/files?name=\(name)", body: body, headers: headers)
        #expect(reply.status == .created)
        return try reply.decoded(FileRecordBody.self)
    }

    static func issues(_ reply: TestResponse) throws -> [ValidationIssue] {
        guard case .issues(let issues) = try reply.decoded(ErrorBody.self).detail else { return [] }
        return issues
    }

    @Test func metadataCanBeReadChangedReplacedAndDeleted() async throws {
        let app = try TestApp()
        try await app.router { client in
            let created = try await Self.upload(client, "a.txt", "hello", type: "text/plain")
            let path = "/api/files/\(created.id)"

            let read = try await client.request(.get, path)
            let readBack = try read.decoded(FileRecordBody.self)
            #expect(read.status == .ok && readBack == created)

            let patched = try await client.request(.patch, path, json: #"{"tags": ["x"], "description": "d"}"#)
            #expect(patched.status == .ok)
            let afterPatch = try patched.decoded(FileRecordBody.self)
            #expect(afterPatch.tags == ["x"] && afterPatch.name == "a.txt" && afterPatch.description == "d")

            let incomplete = try await client.request(.put, path, json: #"{"name": "b.txt"}"#)
            #expect(incomplete.status == .unprocessableContent)
            #expect(try Self.issues(incomplete).map(\.location) == [["body", "description"], ["body", "tags"]])

            let put = try await client.request(.put, path, json: #"{"name": "b.txt", "description": "", "tags": []}"#)
            let afterPut = try put.decoded(FileRecordBody.self)
            #expect(put.status == .ok && afterPut.name == "b.txt" && afterPut.tags == [] && afterPut.description == "")

            let badName = try await client.request(.patch, path, json: #"{"name": "../x"}"#)
            #expect(badName.status == .badRequest)
            #expect(try badName.decoded(ErrorBody.self) == ErrorBody(detail: .message("The file name contains a path separator ('/' or '\\').")))

            let content = try await client.request(.put, path + "/content", body: "new bytes!")
            let replaced = try content.decoded(FileRecordBody.self)
            #expect(content.status == .ok && replaced.size == 10 && replaced.name == "b.txt")
            #expect(replaced.sha256 != created.sha256)

            #expect(try await client.request(.delete, path).status == .noContent)
            let gone = try await client.request(.get, path)
            let goneDetail = try gone.decoded(ErrorBody.self).detail
            #expect(gone.status == .notFound && goneDetail.description.contains(created.id))
            #expect(try await client.request(.get, path + "/download").status == .notFound)
            #expect(try await client.request(.get, "/api/files/..%2F..%2Fetc").status == .notFound)
        }
        #expect(app.blobFiles.isEmpty)
    }

    @Test func listingFiltersSortsAndPages() async throws {
        try await TestApp().router { client in
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
            for (index, name) in ["b.png", "A.txt", "C.png", "d.txt", "e.png"].enumerated() {
                // Sizes grow with the index; PNGs start with PNG's signature, so libmagic agrees.
                let bytes = name.hasSuffix("png") ? png + [UInt8](repeating: 1, count: index) : Array(String(repeating: "x", count: 16 + index).utf8)
                let reply = try await client.execute(uri: "/api/files?name=\(name)", method: .post, body: ByteBuffer(bytes: bytes))
                #expect(reply.status == .created)
            }
            func names(_ uri: String) async throws -> [String] {
                try await client.request(.get, uri).decoded(FilePageBody.self).items.map(\.name)
            }
            // Names sort as people sort them, ignoring case.
            #expect(try await names("/api/files?content_type=image/&sort=name") == ["b.png", "C.png", "e.png"])
            #expect(try await names("/api/files?sort=-name") == ["e.png", "d.txt", "C.png", "b.png", "A.txt"])
            #expect(try await names("/api/files?q=D.T") == ["d.txt"])

            func pages(_ sort: String) async throws -> [String] {
                var all: [String] = []
                var cursor: String?
                repeat {
                    let page = try await client.request(.get, "/api/files?sort=\(sort)&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                    #expect(page.status == .ok)
                    let body = try page.decoded(FilePageBody.self)
                    all += body.items.map(\.name)
                    cursor = body.nextCursor
                } while cursor != nil
                return all
            }
            #expect(try await pages("-size") == ["e.png", "d.txt", "C.png", "A.txt", "b.png"])
            #expect(try await pages("name") == ["A.txt", "b.png", "C.png", "d.txt", "e.png"])

            let nameCursor = try #require(try await client.request(.get, "/api/files?sort=name&limit=1").decoded(FilePageBody.self).nextCursor)
            let mismatched = try await client.request(.get, "/api/files?sort=size&cursor=\(nameCursor)")
            #expect(mismatched.status == .unprocessableContent)
            let invalid = try await client.request(.get, "/api/files?limit=2000&cursor=zzz")
            #expect(invalid.status == .unprocessableContent)
            #expect(try Self.issues(invalid).map(\.location) == [["query", "limit"], ["query", "cursor"]])
        }
    }

    /// `tag` lists the files carrying a tag (its case ignored); empty, as a form's empty field
    /// sends it, it filters nothing; longer than a tag may be, it is refused.
    @Test func listingFiltersByTag() async throws {
        try await TestApp().router { client in
            for (name, tags) in [("beach.jpg", "Holiday,work"), ("hut.jpg", "holiday"), ("notes.txt", "")] {
                let reply = try await client.request(.put, "/api/files?name=\(name)&tags=\(tags)", body: name)
                #expect(reply.status == .created)
            }
            func names(_ uri: String) async throws -> [String] {
                try await client.request(.get, uri).decoded(FilePageBody.self).items.map(\.name)
            }
            #expect(try await names("/api/files?tag=HOLIDAY&sort=name") == ["beach.jpg", "hut.jpg"])
            #expect(try await names("/api/files?tag=%20work%20") == ["beach.jpg"])
            #expect(try await names("/api/files?tag=work&q=beach") == ["beach.jpg"])
            #expect(try await names("/api/files?tag=&sort=name") == ["beach.jpg", "hut.jpg", "notes.txt"])
            let tooLong = try await client.request(.get, "/api/files?tag=" + String(repeating: "t", count: 65))
            #expect(tooLong.status == .unprocessableContent)
            #expect(try Self.issues(tooLong).map(\.location) == [["query", "tag"]])
        }
    }

    /// Every way tags come in (a raw upload's query, a form's field, a JSON change) obeys one rule:
    /// trimmed, once each ignoring case, refused with the reason (and nothing kept) when a tag
    /// could not be shown or sent back as it is.
    @Test func tagsObeyOneRuleWhicheverWayTheyCome() async throws {
        let app = try TestApp()
        try await app.router { client in
            let raw = try await client.request(.put, "/api/files?name=a.txt&tags=%20Holiday%20,holiday,work", body: "a")
            let file = try raw.decoded(FileRecordBody.self)
            #expect(raw.status == .created && file.tags == ["Holiday", "work"])
            let form =
                "--b\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nx,X, y \r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.txt\"\r\n\r\nb\r\n--b--\r\n"
            let formed = try await client.request(.post, "/api/files", body: form, headers: [.contentType: "multipart/form-data; boundary=b"])
            #expect(formed.status == .created)
            #expect(try formed.decoded(FormUploadBody.self).files.map(\.tags) == [["x", "y"]])
            let patched = try await client.request(.patch, "/api/files/\(file.id)", json: #"{"tags": ["q3", " Q3", "reports "]}"#)
            #expect(try patched.decoded(FileRecordBody.self).tags == ["q3", "reports"])

            let blobs = app.blobFiles
            let many = (0..<65).map { "t\($0)" }.joined(separator: ",")
            let refusals: [(TestResponse, String)] = [
                (try await client.request(.put, "/api/files?name=c.txt&tags=" + String(repeating: "t", count: 65), body: "c"), "is longer than 64"),
                (try await client.request(.put, "/api/files?name=c.txt&tags=" + many, body: "c"), "more than 64 tags"),
                (try await client.request(.put, "/api/files?name=c.txt&tags=a%0Ab", body: "c"), "control character"),
                (
                    try await client.request(
                        .post,
                        "/api/files",
                        body: form.replacingOccurrences(of: "x,X, y ", with: many),
                        headers: [.contentType: "multipart/form-data; boundary=b"]
                    ), "more than 64 tags"
                ),
                (try await client.request(.patch, "/api/files/\(file.id)", json: #"{"tags": ["a,b"]}"#), "contains a comma"),
                (try await client.request(.patch, "/api/files/\(file.id)", json: #"{"tags": ["  "]}"#), "only spaces"),
            ]
            for (reply, reason) in refusals {
                #expect(reply.status == .badRequest)
                #expect(try reply.decoded(ErrorBody.self).detail.description.contains(reason), "\(reason)")
            }
            #expect(app.blobFiles == blobs && app.stagedFiles.isEmpty)
            #expect(try await client.request(.get, "/api/files/\(file.id)").decoded(FileRecordBody.self).tags == ["q3", "reports"])
        }
    }

    /// A form's description is held to the 4,096 characters a JSON change or a raw upload's
    /// query is: one more is refused with 413 and nothing kept.
    @Test func aFormsDescriptionHasTheLimitOfEveryOtherWay() async throws {
        let app = try TestApp()
        try await app.router { client in
            func form(description: String) -> String {
                "--b\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n\(description)\r\n"
                    + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.txt\"\r\n\r\nb\r\n--b--\r\n"
            }
            let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=b"]
            let refused = try await client.request(
                .post,
                "/api/files",
                body: form(description: String(repeating: "é", count: 4097)),
                headers: headers
            )
            #expect(refused.status == .contentTooLarge)
            #expect(try refused.decoded(ErrorBody.self) == ErrorBody(detail: .message("The description is longer than 4096 characters.")))
            #expect(app.blobFiles.isEmpty && app.stagedFiles.isEmpty)
            let taken = try await client.request(.post, "/api/files", body: form(description: String(repeating: "é", count: 4096)), headers: headers)
            #expect(taken.status == .created)
        }
    }

    @Test func identicalUploadsShareOneBlobUntilTheLastIsDeleted() async throws {
        let app = try TestApp()
        try await app.router { client in
            let first = try await Self.upload(client, "one", "same")
            let second = try await Self.upload(client, "two", "same")
            #expect(first.sha256 == second.sha256)
            #expect(app.blobFiles.count == 1)
            #expect(try await client.request(.delete, "/api/files/\(first.id)").status == .noContent)
            #expect(app.blobFiles.count == 1)
            #expect(String(buffer: try await client.request(.get, second.downloadURL).body) == "same")
            #expect(try await client.request(.delete, "/api/files/\(second.id)").status == .noContent)
            #expect(app.blobFiles.isEmpty)
        }
    }

    /// `PUT .../content` with preconditions on the content it replaces, as its download shows it:
    /// judged before the body is read, 412 with the current ETag when they fail, nothing kept.
    @Test func contentIsReplacedOnlyWhereItsPreconditionsHold() async throws {
        let app = try TestApp()
        try await app.router { client in
            let record = try await client.request(.post, "/api/files?name=a.txt", body: "first").decoded(FileRecordBody.self)
            let path = "/api/files/\(record.id)/content"
            let first = "\"\(record.sha256)\""
            let replaced = try await client.request(.put, path, body: "second", headers: [.ifMatch: first]).decoded(FileRecordBody.self)
            let second = "\"\(replaced.sha256)\""
            for refused: HTTPFields in [
                [.ifMatch: first], [.ifMatch: "W/\(second)"], [.ifNoneMatch: "*"], [.ifNoneMatch: second],
                [.ifUnmodifiedSince: "Sun, 06 Nov 1994 08:49:37 GMT"],
            ] {
                let answer = try await client.request(.put, path, body: "lost update", headers: refused)
                #expect(answer.status == .preconditionFailed, "\(refused)")
                #expect(answer.headers[.eTag] == second, "\(refused)")
                #expect(try answer.decoded(ErrorBody.self).detail.description.contains("precondition"))
            }
            #expect(String(buffer: try await client.request(.get, replaced.downloadURL).body) == "second")
            for accepted: HTTPFields in [[.ifMatch: "\"other\", \(second)"], [.ifMatch: "*"], [.ifNoneMatch: first]] {
                let answer = try await client.request(.put, path, body: "second", headers: accepted)
                #expect(answer.status == .ok, "\(accepted)")
            }
        }
        #expect(app.stagedFiles.isEmpty && app.blobFiles.count == 1)
    }

    @Test func metadataIsChangedOnlyWhereItsPreconditionsHold() async throws {
        try await TestApp().router { client in
            let path = "/api/files/\(try await Self.upload(client, "a.txt", "first").id)"
            let read = try await client.request(.get, path)
            let first = try #require(read.headers[.eTag])
            #expect(first.wholeMatch(of: /"[0-9a-f]{32}"/) != nil, "\(first)")
            let unchanged = try await client.request(.get, path, headers: [.ifNoneMatch: first])
            #expect(unchanged.status == .notModified && unchanged.headers[.eTag] == first && unchanged.body.readableBytes == 0)

            let renamed = try await client.request(.patch, path, json: #"{"name": "b.txt"}"#, headers: [.ifMatch: first])
            let second = try #require(renamed.headers[.eTag])
            #expect(renamed.status == .ok && second != first)
            #expect(try await client.request(.get, path).headers[.eTag] == second, "the answer's tag is the record's")
            // A change that changes nothing (the name it has, a field Wharf does not know, as
            // FastAPI ignores one) keeps the version.
            for same in [#"{"name": "b.txt"}"#, #"{"nmae": "c.txt"}"#, "{}"] {
                let kept = try await client.request(.patch, path, json: same, headers: [.ifMatch: second])
                #expect(kept.status == .ok && kept.headers[.eTag] == second, "\(same)")
            }
            for refused: HTTPFields in [
                [.ifMatch: first], [.ifMatch: "W/\(second)"], [.ifNoneMatch: "*"], [.ifNoneMatch: second],
                [.ifUnmodifiedSince: "Sun, 06 Nov 1994 08:49:37 GMT"],
            ] {
                let patch = try await client.request(.patch, path, json: #"{"name": "lost.txt"}"#, headers: refused)
                #expect(patch.status == .preconditionFailed && patch.headers[.eTag] == second, "\(refused)")
                let put = try await client.request(.put, path, json: #"{"name": "lost.txt", "description": "", "tags": []}"#, headers: refused)
                #expect(put.status == .preconditionFailed, "\(refused)")
                #expect(try await client.request(.delete, path, headers: refused).status == .preconditionFailed, "\(refused)")
            }
            #expect(try await client.request(.get, path).decoded(FileRecordBody.self).name == "b.txt", "nothing refused was kept")

            // Writers that read the same version race: one wins, the others learn it changed.
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for n in 0..<8 {
                    group.addTask {
                        try await client.request(.patch, path, json: #"{"description": "writer \#(n)"}"#, headers: [.ifMatch: second]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .preconditionFailed }.count == 7, "\(statuses)")

            // New content is a new version of the record too.
            let third = try #require(try await client.request(.get, path).headers[.eTag])
            #expect(try await client.request(.put, path + "/content", body: "second").status == .ok)
            #expect(try await client.request(.delete, path, headers: [.ifMatch: third]).status == .preconditionFailed)
            let current = try #require(try await client.request(.get, path).headers[.eTag])
            #expect(try await client.request(.delete, path, headers: [.ifMatch: current]).status == .noContent)
        }
    }

    @Test(arguments: [
        ("", "The file name is empty."),
        ("%20%20", "The file name is only spaces."),
        ("a%2Fb", "path separator"),
        ("a%5Cb", "path separator"),
        ("a%00b", "NUL"),
        ("invoice%E2%80%AEfdp.exe", "direction override"),
        ("..", "directory"),
        (String(repeating: "n", count: 256), "longer than 255 bytes"),
    ])
    func malformedNamesAnswer400(name: String, reason: String) async throws {
        let app = try TestApp()
        try await app.router { client in
            let reply = try await client.request(.post, "/api/files?name=\(name)", body: "bytes")
            #expect(reply.status == .badRequest)
            #expect(try reply.decoded(ErrorBody.self).detail.description.contains(reason))
        }
        #expect(app.stagedFiles.isEmpty && app.blobFiles.isEmpty)
    }

    @Test func aMissingNameAnswers422() async throws {
        try await TestApp().router { client in
            let reply = try await client.request(.post, "/api/files", body: "bytes")
            #expect(reply.status == .unprocessableContent)
            #expect(try Self.issues(reply).first?.location == ["query", "name"])
        }
    }
}
