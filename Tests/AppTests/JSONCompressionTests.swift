import App
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

@Suite(.serialized) struct JSONCompressionTests {
    @Test func aJSONListOverOneKiBIsGzippedForClientsThatAcceptIt() async throws {
        let app = try TestApp()
        try await app.live { client in
            let port = client.port!
            for index in 0..<12 {
                let upload = try await Curl.request(
                    port: port,
                    "/api/files?name=notes-\(index).txt",
                    ["-X", "POST", "--data-binary", "note \(index)"]
                )
                #expect(upload.status == 201)
            }
            let identity = try await Curl.request(port: port, "/api/files?limit=50", [])
            #expect(identity.headers["content-encoding"] == nil)
            #expect(identity.headers["vary"] == "Accept-Encoding")
            #expect(identity.body.count > 1024)

            let gzipped = try await Curl.request(port: port, "/api/files?limit=50", ["--compressed"])
            #expect(gzipped.headers["content-encoding"] == "gzip")
            #expect(gzipped.headers["vary"] == "Accept-Encoding")
            #expect(Int(gzipped.headers["content-length"] ?? "") ?? .max < identity.body.count)
            // curl decoded the body: the same JSON as the identity answer, byte for byte.
            #expect(gzipped.body == identity.body)

            let refused = try await Curl.request(port: port, "/api/files?limit=50", ["-H", "Accept-Encoding: gzip;q=0, br"])
            #expect(refused.headers["content-encoding"] == nil)
            #expect(refused.body == identity.body)

            let head = try await Curl.request(port: port, "/api/files?limit=50", ["-I", "-H", "Accept-Encoding: gzip"])
            #expect(head.status == 200)
            #expect(head.headers["content-encoding"] == nil)
            #expect(head.headers["vary"] == "Accept-Encoding")
        }
    }

    @Test func smallJSONAndFileDownloadsAreNotCompressed() async throws {
        let app = try TestApp()
        try await app.live { client in
            let port = client.port!
            let document = String(repeating: "{\"key\": \"value\"}\n", count: 200)
            let upload = try await Curl.request(
                port: port,
                "/api/files?name=data.json",
                ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", document, "--compressed"]
            )
            #expect(upload.status == 201)
            #expect(upload.headers["content-encoding"] == nil)
            #expect(upload.headers["vary"] == "Accept-Encoding")
            let id = try upload.decoded(FileRecordBody.self).id

            let download = try await Curl.request(port: port, "/api/files/\(id)/download", ["-H", "Accept-Encoding: gzip"])
            #expect(download.status == 200)
            #expect(download.headers["content-encoding"] == nil)
            #expect(download.body == Data(document.utf8))
        }
    }
}
