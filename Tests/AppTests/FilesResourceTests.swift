import App
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

@Suite(.serialized) struct FilesResourceTests {
    @Test func aChunkedUploadOf64MiBStreamsToDiskWithTheRightDigest() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/big.bin"
        try await Fixtures.randomFile(at: source, size: 64 << 20)
        let expected = try await Fixtures.sha256(ofFile: source)
        try await app.live { client in
            let port = client.port!
            let upload = try await Curl.request(
                port: port,
                "/api/files?name=big.bin&description=nightly&tags=backup,%20db",
                // curl waits for the 100 as long as it takes a loaded test machine to start the route.
                ["-X", "POST", "-H", "Transfer-Encoding: chunked", "--expect100-timeout", "60", "-T", source]
            )
            #expect(upload.status == 201)
            #expect(upload.sawContinue)
            let record = try upload.decoded(FileRecordBody.self)
            #expect(record.sha256 == expected)
            #expect(record.size == 64 << 20)
            #expect(record.name == "big.bin")
            #expect(record.description == "nightly")
            #expect(record.tags == ["backup", "db"])
            let id = record.id
            #expect(upload.headers["location"] == "/api/files/\(id)")
            #expect(record.downloadURL == "/api/files/\(id)/download")

            let downloaded = app.directory.path + "/downloaded.bin"
            let download = try await Curl.request(port: port, "/api/files/\(id)/download", [], saveTo: downloaded)
            #expect(download.status == 200)
            #expect(download.headers["etag"] == "\"\(expected)\"")
            #expect(download.headers["content-length"] == String(64 << 20))
            #expect(download.headers["content-disposition"] == "attachment; filename=\"big.bin\"")
            #expect(try await Fixtures.sha256(ofFile: downloaded) == expected)
        }
        #expect(app.stagedFiles.isEmpty)
    }

    @Test func anUploadWithContentLengthKeepsItsDeclaredTypeAndUnicodeName() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/photo"
        try await Fixtures.randomFile(at: source, size: 3 << 20)
        try await app.live { client in
            let upload = try await Curl.request(
                port: client.port!,
                "/api/files?name=%C3%A9t%C3%A9%20%22photo%22.png",
                ["-X", "POST", "-H", "Content-Type: image/png", "--data-binary", "@" + source]
            )
            #expect(upload.status == 201)
            let record = try upload.decoded(FileRecordBody.self)
            #expect(record.contentType == "image/png")
            #expect(record.name == "été \"photo\".png")
            let id = record.id
            let download = try await Curl.request(port: client.port!, "/api/files/\(id)/download", [])
            #expect(download.headers["content-type"] == "image/png")
            #expect(download.headers["x-content-type-options"] == "nosniff")
            #expect(
                download.headers["content-disposition"]
                    == "attachment; filename=\"_t_ _photo_.png\"; filename*=UTF-8''%C3%A9t%C3%A9%20%22photo%22.png"
            )
        }
    }

    @Test func theContentTypeFallsBackToTheExtension() async throws {
        let app = try TestApp()
        try await app.live { client in
            let upload = try await Curl.request(
                port: client.port!,
                "/api/files?name=notes.md",
                ["-X", "POST", "-H", "Content-Type:", "--data-binary", "# hi"]
            )
            #expect(try upload.decoded(FileRecordBody.self).contentType == "text/markdown")
            let unknown = try await Curl.request(port: client.port!, "/api/files?name=blob", ["-X", "POST", "--data-binary", "x"])
            #expect(try unknown.decoded(FileRecordBody.self).contentType == "application/octet-stream")
        }
    }
}
