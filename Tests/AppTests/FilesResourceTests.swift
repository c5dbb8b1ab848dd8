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
                ["-X", "POST", "-H", "Transfer-Encoding: chunked", "-T", source]
            )
            #expect(upload.status == 201)
            #expect(upload.sawContinue)
            let record = upload.json
            #expect(record["sha256"] as? String == expected)
            #expect(record["size"] as? Int == 64 << 20)
            #expect(record["name"] as? String == "big.bin")
            #expect(record["description"] as? String == "nightly")
            #expect(record["tags"] as? [String] == ["backup", "db"])
            let id = try #require(record["id"] as? String)
            #expect(upload.headers["location"] == "/api/files/\(id)")
            #expect(record["download_url"] as? String == "/api/files/\(id)/download")

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
            #expect(upload.json["content_type"] as? String == "image/png")
            #expect(upload.json["name"] as? String == "été \"photo\".png")
            let id = try #require(upload.json["id"] as? String)
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
            #expect(upload.json["content_type"] as? String == "text/markdown")
            let unknown = try await Curl.request(port: client.port!, "/api/files?name=blob", ["-X", "POST", "--data-binary", "x"])
            #expect(unknown.json["content_type"] as? String == "application/octet-stream")
        }
    }

    @Test func metadataCanBeReadChangedReplacedAndDeleted() async throws {
        let app = try TestApp()
        try await app.live { client in
            let port = client.port!
            let created = try await Curl.request(
                port: port,
                "/api/files?name=a.txt",
                ["-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "hello"]
            )
            let id = try #require(created.json["id"] as? String)

            let read = try await Curl.request(port: port, "/api/files/\(id)", [])
            #expect(read.status == 200 && read.json["name"] as? String == "a.txt")

            let patched = try await Curl.request(
                port: port,
                "/api/files/\(id)",
                ["-X", "PATCH", "--data", "{\"tags\": [\"x\"], \"description\": \"d\"}"]
            )
            #expect(patched.status == 200)
            #expect(patched.json["tags"] as? [String] == ["x"] && patched.json["name"] as? String == "a.txt")
            #expect(patched.json["description"] as? String == "d")

            let incomplete = try await Curl.request(port: port, "/api/files/\(id)", ["-X", "PUT", "--data", "{\"name\": \"b.txt\"}"])
            #expect(incomplete.status == 422)
            let locations = (incomplete.json["detail"] as? [[String: Any]])?.compactMap { $0["loc"] as? [String] }
            #expect(locations == [["body", "description"], ["body", "tags"]])

            let put = try await Curl.request(
                port: port,
                "/api/files/\(id)",
                ["-X", "PUT", "--data", "{\"name\": \"b.txt\", \"description\": \"\", \"tags\": []}"]
            )
            #expect(put.status == 200 && put.json["name"] as? String == "b.txt" && put.json["tags"] as? [String] == [])

            let badName = try await Curl.request(port: port, "/api/files/\(id)", ["-X", "PATCH", "--data", "{\"name\": \"../x\"}"])
            #expect(badName.status == 400)

            let content = try await Curl.request(port: port, "/api/files/\(id)/content", ["-X", "PUT", "--data-binary", "new bytes!"])
            #expect(content.status == 200 && content.json["size"] as? Int == 10 && content.json["name"] as? String == "b.txt")
            #expect(content.json["sha256"] as? String != created.json["sha256"] as? String)

            let deleted = try await Curl.request(port: port, "/api/files/\(id)", ["-X", "DELETE"])
            #expect(deleted.status == 204)
            let gone = try await Curl.request(port: port, "/api/files/\(id)", [])
            #expect(gone.status == 404 && (gone.json["detail"] as? String)?.contains(id) == true)
            let goneDownload = try await Curl.request(port: port, "/api/files/\(id)/download", [])
            #expect(goneDownload.status == 404)
            let malformed = try await Curl.request(port: port, "/api/files/..%2F..%2Fetc", [])
            #expect(malformed.status == 404)
        }
        #expect(app.blobFiles.isEmpty)
    }

    @Test func listingFiltersSortsAndPages() async throws {
        let app = try TestApp()
        try await app.live { client in
            let port = client.port!
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
            for (index, name) in ["b.png", "a.txt", "c.png", "d.txt", "e.png"].enumerated() {
                // Sizes grow with the index; PNGs start with PNG's signature, so libmagic agrees.
                let path = app.directory.path + "/" + name
                let bytes = name.hasSuffix("png") ? png + [UInt8](repeating: 1, count: index) : Array(String(repeating: "x", count: 16 + index).utf8)
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                _ = try await Curl.request(port: port, "/api/files?name=\(name)", ["-X", "POST", "--data-binary", "@" + path])
            }
            let images = try await Curl.request(port: port, "/api/files?content_type=image/&sort=name", [])
            #expect((images.json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["b.png", "c.png", "e.png"])

            let search = try await Curl.request(port: port, "/api/files?q=D.T", [])
            #expect((search.json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["d.txt"])

            var names: [String] = []
            var cursor: String?
            repeat {
                let path = "/api/files?sort=-size&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await Curl.request(port: port, path, [])
                #expect(page.status == 200)
                names += (page.json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(names == ["e.png", "d.txt", "c.png", "a.txt", "b.png"])

            let first = try await Curl.request(port: port, "/api/files?sort=name&limit=1", [])
            let nameCursor = try #require(first.json["next_cursor"] as? String)
            let mismatched = try await Curl.request(port: port, "/api/files?sort=size&cursor=\(nameCursor)", [])
            #expect(mismatched.status == 422)
            let invalid = try await Curl.request(port: port, "/api/files?limit=2000&cursor=zzz", [])
            #expect(invalid.status == 422)
            #expect(
                (invalid.json["detail"] as? [[String: Any]])?.compactMap { $0["loc"] as? [String] } == [["query", "limit"], ["query", "cursor"]]
            )
        }
    }

    @Test func identicalUploadsShareOneBlobUntilTheLastIsDeleted() async throws {
        let app = try TestApp()
        try await app.live { client in
            let port = client.port!
            let first = try await Curl.request(port: port, "/api/files?name=one", ["-X", "POST", "--data-binary", "same"])
            let second = try await Curl.request(port: port, "/api/files?name=two", ["-X", "POST", "--data-binary", "same"])
            #expect(first.json["sha256"] as? String == second.json["sha256"] as? String)
            #expect(app.blobFiles.count == 1)
            _ = try await Curl.request(port: port, "/api/files/\(first.json["id"] as! String)", ["-X", "DELETE"])
            #expect(app.blobFiles.count == 1)
            let still = try await Curl.request(port: port, "/api/files/\(second.json["id"] as! String)/download", [])
            #expect(String(decoding: still.body, as: UTF8.self) == "same")
            _ = try await Curl.request(port: port, "/api/files/\(second.json["id"] as! String)", ["-X", "DELETE"])
            #expect(app.blobFiles.isEmpty)
        }
    }

    @Test(arguments: [
        ("", "The file name is empty."),
        ("a%2Fb", "path separator"),
        ("a%5Cb", "path separator"),
        ("a%00b", "NUL"),
        ("..", "directory"),
        (String(repeating: "n", count: 256), "longer than 255 bytes"),
    ])
    func malformedNamesAnswer400(name: String, reason: String) async throws {
        let app = try TestApp()
        try await app.live { client in
            let reply = try await Curl.request(port: client.port!, "/api/files?name=\(name)", ["-X", "POST", "--data-binary", "bytes"])
            #expect(reply.status == 400)
            #expect((reply.json["detail"] as? String)?.contains(reason) == true)
        }
        #expect(app.stagedFiles.isEmpty && app.blobFiles.isEmpty)
    }

    @Test func aMissingNameAnswers422() async throws {
        let app = try TestApp()
        try await app.live { client in
            let reply = try await Curl.request(port: client.port!, "/api/files", ["-X", "POST", "--data-binary", "bytes"])
            #expect(reply.status == 422)
            #expect((reply.json["detail"] as? [[String: Any]])?.first?["loc"] as? [String] == ["query", "name"])
        }
    }
}
