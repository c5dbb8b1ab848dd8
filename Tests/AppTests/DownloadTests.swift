import App
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// `/api/files/{id}/download` as curl sees it: ranges, preconditions and HEAD.
@Suite(.serialized) struct DownloadTests {
    /// Uploads 1 MiB of random bytes and runs `body` with the port, the id, the bytes and the ETag.
    func withStoredFile(_ body: @Sendable (Int, String, Data, String) async throws -> Void) async throws {
        let app = try TestApp()
        let source = app.directory.path + "/file.bin"
        try await Fixtures.randomFile(at: source, size: 1 << 20)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        try await app.live { client in
            let upload = try await Curl.request(port: client.port!, "/api/files?name=file.bin", ["-X", "POST", "-T", source])
            let record = try upload.decoded(FileRecordBody.self)
            let (id, tag) = (record.id, "\"\(record.sha256)\"")
            try await body(client.port!, id, bytes, tag)
        }
    }

    @Test func singleAndSuffixRangesAnswer206WithExactlyThoseBytes() async throws {
        try await self.withStoredFile { port, id, bytes, _ in
            let middle = try await Curl.request(port: port, "/api/files/\(id)/download", ["-r", "100-199"])
            #expect(middle.status == 206)
            #expect(middle.headers["content-range"] == "bytes 100-199/1048576")
            #expect(middle.headers["content-length"] == "100")
            #expect(middle.body == bytes[100..<200])
            let suffix = try await Curl.request(port: port, "/api/files/\(id)/download", ["-H", "Range: bytes=-10"])
            #expect(suffix.status == 206 && suffix.body == bytes.suffix(10))
            let open = try await Curl.request(port: port, "/api/files/\(id)/download", ["-r", "1048500-"])
            #expect(open.status == 206 && open.body == bytes[1_048_500...])
        }
    }

    @Test func severalRangesAnswerMultipartByteranges() async throws {
        try await self.withStoredFile { port, id, bytes, _ in
            let reply = try await Curl.request(port: port, "/api/files/\(id)/download", ["-r", "0-9,500000-500099"])
            #expect(reply.status == 206)
            let contentType = try #require(reply.headers["content-type"])
            #expect(contentType.hasPrefix("multipart/byteranges; boundary="))
            let boundary = String(contentType.dropFirst("multipart/byteranges; boundary=".count))
            #expect(Int(reply.headers["content-length"] ?? "") == reply.body.count)
            let parts = reply.body.split(separator: Data("\r\n--\(boundary)".utf8))
            // Two parts, then the closing "--\r\n".
            #expect(parts.count == 3)
            for (part, range) in zip(parts.prefix(2), [0..<10, 500_000..<500_100]) {
                let split = try #require(part.range(of: Data("\r\n\r\n".utf8)))
                let head = String(decoding: part[..<split.lowerBound], as: UTF8.self)
                #expect(head.contains("Content-Range: bytes \(range.lowerBound)-\(range.upperBound - 1)/1048576"))
                #expect(head.contains("Content-Type: application/octet-stream"))
                #expect(Data(part[split.upperBound...]) == bytes[range])
            }
        }
    }

    @Test func unsatisfiableRangesAnswer416AndMalformedOnesAreIgnored() async throws {
        try await self.withStoredFile { port, id, bytes, _ in
            let beyond = try await Curl.request(port: port, "/api/files/\(id)/download", ["-r", "2000000-"])
            #expect(beyond.status == 416)
            #expect(beyond.headers["content-range"] == "bytes */1048576")
            let malformed = try await Curl.request(port: port, "/api/files/\(id)/download", ["-H", "Range: bytes=5-1"])
            #expect(malformed.status == 200 && malformed.body == bytes)
        }
    }

    @Test func validatorsAnswer304And412AndIfRangeFallsBackToTheWholeFile() async throws {
        try await self.withStoredFile { port, id, bytes, tag in
            let full = try await Curl.request(port: port, "/api/files/\(id)/download", [])
            let lastModified = try #require(full.headers["last-modified"])
            #expect(full.headers["etag"] == tag)

            let current = try await Curl.request(port: port, "/api/files/\(id)/download", ["-H", "If-None-Match: \"other\", \(tag)"])
            #expect(current.status == 304 && current.body.isEmpty && current.headers["etag"] == tag)
            let since = try await Curl.request(port: port, "/api/files/\(id)/download", ["-H", "If-Modified-Since: \(lastModified)"])
            #expect(since.status == 304)
            let changed = try await Curl.request(port: port, "/api/files/\(id)/download", ["-H", "If-None-Match: \"other\""])
            #expect(changed.status == 200 && changed.body == bytes)

            let failed = try await Curl.request(port: port, "/api/files/\(id)/download", ["-H", "If-Match: \"other\""])
            #expect(failed.status == 412)
            let matched = try await Curl.request(port: port, "/api/files/\(id)/download", ["-H", "If-Match: \(tag)", "-r", "0-0"])
            #expect(matched.status == 206)

            let stale = try await Curl.request(port: port, "/api/files/\(id)/download", ["-H", "If-Range: \"old\"", "-r", "0-9"])
            #expect(stale.status == 200 && stale.body == bytes)
            let fresh = try await Curl.request(port: port, "/api/files/\(id)/download", ["-H", "If-Range: \(tag)", "-r", "0-9"])
            #expect(fresh.status == 206 && fresh.body == bytes[0..<10])
        }
    }

    @Test func inlineIsHonouredOnlyForTypesThatCannotRunScript() async throws {
        let app = try TestApp()
        let directory = app.directory.path
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).write(
            to: URL(fileURLWithPath: directory + "/a.png")
        )
        try Data("<!DOCTYPE html><html><script>alert(1)</script></html>".utf8).write(to: URL(fileURLWithPath: directory + "/a.html"))
        try await app.live { client in
            let port = client.port!
            for (name, expected) in [("a.png", "inline; filename=\"a.png\""), ("a.html", "attachment; filename=\"a.html\"")] {
                let upload = try await Curl.request(port: port, "/api/files?name=\(name)", ["-X", "POST", "--data-binary", "@\(directory)/\(name)"])
                let id = try upload.decoded(FileRecordBody.self).id
                let reply = try await Curl.request(port: port, "/api/files/\(id)/download?disposition=inline", [])
                #expect(reply.headers["content-disposition"] == expected)
                #expect(reply.headers["x-content-type-options"] == "nosniff")
            }
            let bad = try await Curl.request(port: port, "/api/files/AAAAAAAAAAAAAAAAAAAAAA/download?disposition=open", [])
            #expect(bad.status == 422)
        }
    }

    @Test func headAnswersTheSameHeadersWithoutABody() async throws {
        try await self.withStoredFile { port, id, _, tag in
            let head = try await Curl.request(port: port, "/api/files/\(id)/download", ["-I"])
            let get = try await Curl.request(port: port, "/api/files/\(id)/download", [])
            #expect(head.status == 200)
            // Every header GET gets, HEAD gets with the same value, but those of the moment.
            let ofTheMoment: Set<String> = ["date", "x-request-id", "x-process-time"]
            #expect(head.headers.filter { !ofTheMoment.contains($0.key) } == get.headers.filter { !ofTheMoment.contains($0.key) })
            #expect(get.body.count == 1 << 20)
            #expect(head.headers["content-length"] == "1048576")
            #expect(head.headers["etag"] == tag)
            #expect(head.headers["accept-ranges"] == "bytes")
            // With -I curl writes the response head where the body would go: nothing else came.
            #expect(String(decoding: head.body, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            #expect(head.body.count < 1024)
        }
    }
}
