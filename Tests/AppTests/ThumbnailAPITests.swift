import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import TestSupport
import Testing

/// Thumbnails over the API: made in the background after an upload, served through the
/// file-response engine, 202 while pending, 404 with the reason when they cannot be made.
@Suite struct ThumbnailAPITests {
    /// A PNG of `width`×`height` pixels of noise, made with libvips' command line.
    static func png(_ directory: TemporaryDirectory, width: Int, height: Int) async throws -> Data {
        let path = directory.path + "/source.png"
        for arguments in [["gaussnoise", path + ".v", "\(width)", "\(height)"], ["copy", path + ".v", path]] {
            #expect(try await Command.run("vips", arguments).status == 0)
        }
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    static func upload(_ client: some TestClientProtocol, _ data: Data, name: String = "photo.png") async throws -> FileRecordBody {
        let response = try await client.execute(uri: "/api/files?name=\(name)", method: .put, headers: [:], body: ByteBuffer(bytes: data))
        #expect(response.status == .created)
        return try response.decoded(FileRecordBody.self)
    }

    @Test func anUploadedImageGetsThumbnailsServedLikeAnyFile() async throws {
        let app = try TestApp()
        let image = try await Self.png(app.directory, width: 1200, height: 800)
        try await app.router { client in
            let record = try await Self.upload(client, image)
            #expect(["pending", "ready"].contains(record.thumbnails?.status))
            let url = "/api/files/\(record.id)/thumbnail?size=256"
            let first = try await client.request(.get, url)
            #expect([.ok, .accepted].contains(first.status))
            if first.status == .accepted {
                #expect(first.headers[.retryAfter] == "1")
                #expect(try first.decoded(ErrorBody.self) == ErrorBody(detail: .message("thumbnail pending")))
            }
            try await waitUntil("the thumbnail is made") { try await client.request(.get, url).status == .ok }
            let thumbnail = try await client.request(.get, url)
            #expect(thumbnail.headers[.contentType] == "image/webp")
            let bytes = Data(thumbnail.body.readableBytesView)
            #expect(bytes.prefix(4) == Data("RIFF".utf8) && bytes.dropFirst(8).prefix(4) == Data("WEBP".utf8))
            let etag = try #require(thumbnail.headers[.eTag])
            #expect(try await client.request(.get, url, headers: [.ifNoneMatch: etag]).status == .notModified)
            let range = try await client.request(.get, url, headers: [.range: "bytes=0-3"])
            #expect(range.status == .partialContent && String(buffer: range.body) == "RIFF")
            try await waitUntil("the large thumbnail is made") {
                try await client.request(.get, "/api/files/\(record.id)/thumbnail?size=1024").status == .ok
            }
            let ready = try await client.request(.get, "/api/files/\(record.id)").decoded(FileRecordBody.self).thumbnails
            #expect(ready == ThumbnailsBody(status: "ready", sizes: ["256": url, "1024": "/api/files/\(record.id)/thumbnail?size=1024"]))
            let wrongSize = try await client.request(.get, "/api/files/\(record.id)/thumbnail?size=100")
            #expect(wrongSize.status == .unprocessableContent)
            let jobs = try await client.request(.get, "/api/jobs?status=done").decoded([JobBody].self)
            #expect(jobs.map(\.kind) == ["thumbnail"] && jobs.first?.subject == record.sha256)
            let metrics = String(buffer: try await client.request(.get, "/metrics").body)
            #expect(metrics.contains("wharf_jobs_total{kind=\"thumbnail\",outcome=\"done\"} 1"))
            #expect(metrics.contains("wharf_job_duration_seconds_count{kind=\"thumbnail\"} 1"))
        }
    }

    /// Text, and a BMP (an image only ImageMagick's loader reads, which is not open to uploads):
    /// no thumbnail job, `none` on the record, 404 with the reason.
    @Test func aFileOfATypeWithoutThumbnailsHasNone() async throws {
        let app = try TestApp()
        let bitmap = app.directory.path + "/source.bmp"
        for arguments in [["gaussnoise", bitmap + ".v", "60", "30"], ["copy", bitmap + ".v", bitmap]] {
            #expect(try await Command.run("vips", arguments).status == 0)
        }
        try await app.router { client in
            let text = try await Self.upload(client, Data("just words".utf8), name: "notes.txt")
            let image = try await Self.upload(client, try Data(contentsOf: URL(fileURLWithPath: bitmap)), name: "scan.bmp")
            #expect(image.contentType == "image/bmp")
            for record in [text, image] {
                #expect(record.thumbnails == ThumbnailsBody(status: "none", sizes: [:]))
                let response = try await client.request(.get, "/api/files/\(record.id)/thumbnail")
                #expect(response.status == .notFound)
                let detail = "This file has no thumbnail: thumbnails are made of JPEG, PNG, WebP, GIF, TIFF, HEIF and AVIF images and of PDFs."
                #expect(try response.decoded(ErrorBody.self) == ErrorBody(detail: .message(detail)))
            }
            let jobs = try await client.request(.get, "/api/jobs").decoded([JobBody].self)
            #expect(!jobs.contains { $0.kind == "thumbnail" })
        }
    }

    /// An image over the pixel limit fails its job for good; the thumbnail then answers 404 with
    /// the reason, and the failed job is listed for admins (only).
    @Test func anImageOverThePixelLimitFailsWithItsReason() async throws {
        let app = try TestApp { $0.maxImagePixels = 10_000 }
        let image = try await Self.png(app.directory, width: 200, height: 100)
        try await app.accounts().add(name: "alice", password: "alice-password", isAdmin: false)
        let alice: HTTPFields = [.authorization: "Bearer \(try await app.token(for: "alice"))"]
        try await app.router { client in
            let record = try await Self.upload(client, image)
            let url = "/api/files/\(record.id)/thumbnail?size=256"
            try await waitUntil("the job fails") { try await client.request(.get, url).status == .notFound }
            let failed = try await client.request(.get, url).decoded(ErrorBody.self)
            let listed = try await client.request(.get, "/api/files").decoded(FilePageBody.self).items.first?.thumbnails
            #expect(listed == ThumbnailsBody(status: "failed", sizes: [:]))
            #expect(
                failed
                    == ErrorBody(
                        detail: .message("The thumbnail could not be made: The image has 20000 pixels (200×100), more than the limit of 10000.")
                    )
            )
            let jobs = try await client.request(.get, "/api/jobs?status=failed").decoded([JobBody].self)
            #expect(jobs.count == 1 && jobs.first?.attempts == 1, "a permanent failure is not retried")
            #expect(try await client.request(.get, "/api/jobs", headers: alice).status == .forbidden)
            #expect(try await client.request(.get, "/api/jobs?status=lost").status == .unprocessableContent)
        }
    }
}
