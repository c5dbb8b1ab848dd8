import App
import Crypto
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// tus on the wire, with curl: a piece cut off by a dropped connection keeps what arrived (a HEAD
/// right after the cut tells where it ends), and a second PATCH while one runs is refused.
@Suite struct TusWireTests {
    static let tus = ["-H", "Tus-Resumable: 1.0.0"]

    static func create(port: Int, length: Int) async throws -> String {
        let created = try await Curl.request(port: port, "/api/uploads/", Self.tus + ["-X", "POST", "-H", "Upload-Length: \(length)"])
        #expect(created.status == 201)
        return try #require(created.headers["location"])
    }

    static func offset(port: Int, _ path: String) async throws -> Int? {
        Int(try await Curl.request(port: port, path, Self.tus + ["-I"]).headers["upload-offset"] ?? "")
    }

    /// How many bytes of the upload at `path` its partial file on disk holds: what a running
    /// PATCH wrote so far, which HEAD does not tell until that PATCH ends.
    static func bytesOnDisk(_ app: TestApp, _ path: String) -> Int {
        let id = path.split(separator: "/").last.map(String.init) ?? ""
        let data = app.configuration.storageDirectory + "/resumable/" + id + "/data"
        return ((try? FileManager.default.attributesOfItem(atPath: data))?[.size] as? Int) ?? 0
    }

    /// Starts a PATCH of `file` at `offset`, sent at about 1 MB/s.
    static func slowPatch(port: Int, _ path: String, file: String, offset: Int, rate: String = "1M", _ extra: [String] = []) throws -> RunningProcess
    {
        try Command.start(
            "curl",
            Curl.signedIn(
                Self.tus + extra + [
                    "-sS", "-X", "PATCH", "-H", "Content-Type: application/offset+octet-stream", "-H", "Upload-Offset: \(offset)",
                    "--limit-rate", rate, "--data-binary", "@" + file, "http://127.0.0.1:\(port)\(path)",
                ],
                port: port
            )
        )
    }

    @Test func aPieceCutOffKeepsWhatArrivedAndTheUploadResumes() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/source.bin"
        let size = 4 << 20
        try await Fixtures.randomFile(at: source, size: size)
        try await app.live { client in
            let port = try #require(client.port)
            let path = try await Self.create(port: port, length: size)
            let cut = try Self.slowPatch(port: port, path, file: source, offset: 0)
            try await waitUntil("bytes arrive") { Self.bytesOnDisk(app, path) > 0 }
            cut.signal(SIGKILL)
            _ = try await Command.wait(cut)
            // Asked at once, as a client whose connection dropped asks: the answer waits until the
            // server has noticed and kept what it received, so the rest sent from there is taken.
            let kept = try #require(try await Self.offset(port: port, path))
            #expect(kept > 0 && kept < size, "kept \(kept) of \(size) bytes")
            #expect(kept == Self.bytesOnDisk(app, path))
            let rest = app.directory.path + "/rest.bin"
            try Data(try Data(contentsOf: URL(fileURLWithPath: source)).dropFirst(kept)).write(to: URL(fileURLWithPath: rest))
            let finished = try await Curl.request(
                port: port,
                path,
                Self.tus + [
                    "-X", "PATCH", "-H", "Content-Type: application/offset+octet-stream", "-H", "Upload-Offset: \(kept)", "--data-binary", "@" + rest,
                ]
            )
            #expect(finished.status == 204 && finished.headers["upload-offset"] == String(size))
            let fileURL = try #require(finished.headers["wharf-file-url"])
            let record = try await Curl.request(port: port, fileURL, []).decoded(FileRecordBody.self)
            #expect(record.sha256 == (try await Fixtures.sha256(ofFile: source)))
        }
    }

    /// A piece sent with a checksum cannot be checked once cut off: none of it is kept.
    @Test func aCutOffPieceWithAChecksumKeepsNothing() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/source.bin"
        try await Fixtures.randomFile(at: source, size: 4 << 20)
        let digest = Data(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: source)))).base64EncodedString()
        try await app.live { client in
            let port = try #require(client.port)
            let path = try await Self.create(port: port, length: 4 << 20)
            let cut = try Self.slowPatch(port: port, path, file: source, offset: 0, ["-H", "Upload-Checksum: sha256 \(digest)"])
            try await waitUntil("bytes arrive") { Self.bytesOnDisk(app, path) > 0 }
            cut.signal(SIGKILL)
            _ = try await Command.wait(cut)
            #expect(try await Self.offset(port: port, path) == 0, "the cut piece is dropped")
            let whole = try await Curl.request(
                port: port,
                path,
                Self.tus + [
                    "-X", "PATCH", "-H", "Content-Type: application/offset+octet-stream", "-H", "Upload-Offset: 0",
                    "-H", "Upload-Checksum: sha256 \(digest)", "--data-binary", "@" + source,
                ]
            )
            #expect(whole.status == 204 && whole.headers["wharf-file-url"] != nil)
        }
    }

    /// While a PATCH runs, a second is refused with 423 at once; a HEAD and a termination wait a
    /// while for the PATCH to end (`TusController.settlePatience`), then are 423 too.
    @Test func aSecondPatchWhileOneRunsIsRefusedWith423() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/source.bin"
        try await Fixtures.randomFile(at: source, size: 3 << 20)
        try await app.live { client in
            let port = try #require(client.port)
            let path = try await Self.create(port: port, length: 3 << 20)
            // Slow enough (12 s) that the first PATCH still runs when a loaded machine gets to the second.
            let running = try Self.slowPatch(port: port, path, file: source, offset: 0, rate: "256K")
            try await waitUntil("the first PATCH holds the upload") { Self.bytesOnDisk(app, path) > 0 }
            let asked = ContinuousClock.now
            #expect(try await Curl.request(port: port, path, Self.tus + ["-I"]).status == 423)
            #expect(ContinuousClock.now - asked >= .seconds(2))
            let second = try await Curl.request(
                port: port,
                path,
                Self.tus + ["-X", "PATCH", "-H", "Content-Type: application/offset+octet-stream", "-H", "Upload-Offset: 0", "--data-binary", "x"]
            )
            #expect(second.status == 423)
            #expect(try await Curl.request(port: port, path, Self.tus + ["-X", "DELETE"]).status == 423, "nor is it terminated meanwhile")
            running.signal(SIGKILL)
            _ = try await Command.wait(running)
        }
    }

    /// A client cancelling an upload cuts its PATCH off and sends the DELETE at once (the site does,
    /// as tus-js-client's `abort(true)`), before the server has seen the connection drop: the
    /// termination waits for the cut-off piece to settle, then removes the upload whole.
    @Test func aTerminationRightAfterACutOffPatchRemovesTheUpload() async throws {
        let app = try TestApp()
        try await app.live { client in
            let port = try #require(client.port)
            for _ in 0..<3 {
                let path = try await Self.create(port: port, length: 3 << 20)
                let cancel = try await PythonClients.run(
                    "tus_cancel.py",
                    [String(port), path, try await app.token(for: "admin"), String(3 << 20)],
                    timeout: .seconds(60)
                )
                #expect(cancel.status == 0 && cancel.text == "204\n", "\(cancel.text) \(cancel.stderr)")
                #expect(try await Curl.request(port: port, path, Self.tus + ["-I"]).status == 404)
            }
            let folders = try FileManager.default.contentsOfDirectory(atPath: app.configuration.storageDirectory + "/resumable")
            #expect(folders.isEmpty, "\(folders)")
        }
    }
}
