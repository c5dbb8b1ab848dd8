import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import TestSupport
import Testing

/// The API's bodies decoded as the Codable types it promises, in Hummingbird's router test mode
/// (no socket: nothing here depends on the wire).
@Suite struct APIContractTests {
    static func upload(
        _ client: some TestClientProtocol,
        name: String,
        _ text: String,
        method: HTTPRequest.Method = .post
    ) async throws
        -> TestResponse
    {
        try await client.execute(uri: "/api/files?name=\(name)", method: method, body: ByteBuffer(string: text))
    }

    @Test func aRawUploadByPUTOrPOSTAnswersTheRecordWithItsLocation() async throws {
        try await TestApp().router { client in
            for method in [HTTPRequest.Method.put, .post] {
                let reply = try await Self.upload(client, name: "notes.txt", "hello \(method)", method: method)
                #expect(reply.status == .created)
                let record = try reply.decoded(FileRecordBody.self)
                #expect(record.name == "notes.txt" && record.size == Int64("hello \(method)".utf8.count))
                #expect(reply.headers[.location] == "/api/files/\(record.id)")
                #expect(record.downloadURL == "/api/files/\(record.id)/download")
                #expect(record.contentType == "text/plain")
                #expect(record.declaredContentType == nil)
            }
        }
    }

    @Test func everyKeyOfARecordIsWrittenEvenWhenItsValueIsNull() async throws {
        try await TestApp().router { client in
            let reply = try await Self.upload(client, name: "a.bin", "x")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.readableBytesView)) as? [String: Any])
            #expect(
                Set(object.keys) == [
                    "id", "owner", "name", "size", "content_type", "declared_content_type", "sha256", "description", "tags", "created_at",
                    "updated_at",
                    "download_url", "integrity", "verified_at", "thumbnails",
                ]
            )
            #expect(object["declared_content_type"] is NSNull)
            #expect(object["integrity"] as? String == "unverified" && object["verified_at"] is NSNull)
            #expect((object["thumbnails"] as? [String: Any])?["status"] as? String == "none")
            let page = try await client.execute(uri: "/api/files", method: .get)
            #expect(String(buffer: page.body).contains("\"next_cursor\":null"))
        }
    }

    @Test func pagesFollowTheirCursorToTheEnd() async throws {
        try await TestApp().router { client in
            for index in 0..<5 { _ = try await Self.upload(client, name: "f\(index)", "\(index)") }
            var names: [String] = []
            var cursor: String? = nil
            repeat {
                let query = cursor.map { "&cursor=\($0)" } ?? ""
                let page = try await client.execute(uri: "/api/files?limit=2&sort=name\(query)", method: .get).decoded(FilePageBody.self)
                names += page.items.map(\.name)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(names == ["f0", "f1", "f2", "f3", "f4"])
        }
    }

    @Test func anUnknownIdAnswers404WithOneSentence() async throws {
        try await TestApp().router { client in
            for path in ["/api/files/AAAAAAAAAAAAAAAAAAAAAA", "/api/files/not-an-id", "/api/files/AAAAAAAAAAAAAAAAAAAAAA/download"] {
                let reply = try await client.execute(uri: path, method: .get)
                #expect(reply.status == .notFound)
                let id = path.split(separator: "/")[2]
                #expect(try reply.decoded(ErrorBody.self) == ErrorBody(detail: .message("No file has the id '\(id)'.")))
            }
        }
    }

    @Test func aHEADOfAnErrorHasGETsHeadersAndNoBody() async throws {
        try await TestApp().router { client in
            let get = try await client.execute(uri: "/api/files/AAAAAAAAAAAAAAAAAAAAAA", method: .get)
            let head = try await client.execute(uri: "/api/files/AAAAAAAAAAAAAAAAAAAAAA", method: .head)
            #expect(head.status == .notFound)
            #expect(head.body.readableBytes == 0)
            #expect(head.headers[.contentLength] == get.headers[.contentLength])
            #expect(head.headers[.contentType] == "application/json")
        }
    }

    @Test func invalidParametersAnswer422WithTypedIssues() async throws {
        try await TestApp().router { client in
            let reply = try await client.execute(uri: "/api/files?limit=0&sort=sideways", method: .get)
            #expect(reply.status == .unprocessableContent)
            guard case .issues(let issues) = try reply.decoded(ErrorBody.self).detail else {
                Issue.record("a 422 lists its issues")
                return
            }
            #expect(issues.map(\.location) == [["query", "limit"], ["query", "sort"]])
            #expect(issues[0].input == "0")
            #expect(issues[0].context?["ge"] == .integer(1))

            let upload = try await Self.upload(client, name: "a.txt", "a").decoded(FileRecordBody.self)
            let patch = try await client.execute(
                uri: "/api/files/\(upload.id)",
                method: .patch,
                headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"name": 7, "tags": ["", "ok"]}"#)
            )
            guard case .issues(let patchIssues) = try patch.decoded(ErrorBody.self).detail else {
                Issue.record("a 422 lists its issues")
                return
            }
            #expect(patchIssues.map(\.type) == ["string_type", "string_too_short"])
            #expect(patchIssues.map(\.location) == [["body", "name"], ["body", "tags", .integer(0)]])
        }
    }

    @Test func anUnsatisfiableRangeAnswers416WithTheSizeInContentRange() async throws {
        try await TestApp().router { client in
            let record = try await Self.upload(client, name: "a.txt", "0123456789").decoded(FileRecordBody.self)
            let reply = try await client.execute(uri: record.downloadURL, method: .get, headers: [.range: "bytes=50-60"])
            #expect(reply.status == .rangeNotSatisfiable)
            #expect(reply.headers[.contentRange] == "bytes */10")
            #expect(reply.headers[.eTag] == "\"\(record.sha256)\"")
            #expect(try reply.decoded(ErrorBody.self) == ErrorBody(detail: .message("None of the requested ranges is within the file's 10 bytes.")))

            let failed = try await client.execute(uri: record.downloadURL, method: .get, headers: [.ifMatch: "\"other\""])
            #expect(failed.status == .preconditionFailed)
            #expect(try failed.decoded(ErrorBody.self) == ErrorBody(detail: .message("A precondition of the request failed.")))
            let unmodifiedSince = try await client.execute(
                uri: record.downloadURL,
                method: .get,
                headers: [.ifUnmodifiedSince: "Thu, 01 Jan 1970 00:00:00 GMT"]
            )
            #expect(unmodifiedSince.status == .preconditionFailed)
        }
    }

    @Test func committedChangesAreCountedByThePostCommitHook() async throws {
        try await TestApp().router { client in
            let record = try await Self.upload(client, name: "a.txt", "a").decoded(FileRecordBody.self)
            _ = try await client.execute(
                uri: "/api/files/\(record.id)",
                method: .patch,
                headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"name": "b.txt"}"#)
            )
            _ = try await client.execute(uri: "/api/files/\(record.id)", method: .delete)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            for change in ["created", "updated", "deleted"] {
                #expect(metrics.contains("wharf_file_changes_total{change=\"\(change)\"} 1"), "\(change) counted once")
            }
        }
    }

    @Test func healthAndReadinessAnswerTheirStatus() async throws {
        try await TestApp().router { client in
            let health = try await client.execute(uri: "/healthz", method: .get).decoded(StatusBody.self)
            let readiness = try await client.execute(uri: "/readyz", method: .get).decoded(StatusBody.self)
            #expect(health == StatusBody(status: "ok"))
            #expect(readiness == StatusBody(status: "ready"))
        }
    }
}
