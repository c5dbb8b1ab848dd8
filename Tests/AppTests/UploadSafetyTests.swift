import App
import Foundation
import HummingbirdTesting
import NIOCore
import Routing
import Storage
import TestSupport
import Testing

/// Every way an upload can go wrong leaves no record, no blob and no staged file behind.
/// Where a test judges the `100 Continue`, curl waits for the server's word
/// (`--expect100-timeout`) rather than its second, which a loaded machine may take to start a
/// route: curl would then send the body unasked.
@Suite(.serialized) struct UploadSafetyTests {
    static func limited() throws -> TestApp {
        try TestApp { $0.maxUploadSize = ByteSize(bytes: 10 << 20) }
    }

    @Test func expectContinueIsAnsweredWhenTheRouteReadsTheBody() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/two-megabytes"
        try await Fixtures.randomFile(at: source, size: 2 << 20)
        try await app.live { client in
            let reply = try await Curl.request(port: client.port!, "/api/files?name=x", ["-X", "POST", "--expect100-timeout", "60", "-T", source])
            #expect(reply.status == 201)
            #expect(reply.sawContinue)
            #expect(reply.uploaded == 2 << 20)
        }
    }

    /// The README's raw upload, exactly as written there: `curl -T FILE 'URL?name=...'` sends PUT.
    @Test func theREADMEsCurlDashTUploadWorksAsWritten() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/report.pdf"
        try await Fixtures.randomFile(at: source, size: 2 << 20)
        try await app.live { client in
            let reply = try await Curl.request(port: client.port!, "/api/files?name=report.pdf", ["-T", source])
            #expect(reply.status == 201)
            let record = try reply.decoded(FileRecordBody.self)
            #expect(record.name == "report.pdf" && record.size == 2 << 20)
            #expect(record.sha256 == (try await Fixtures.sha256(ofFile: source)))
        }
    }

    /// The 100 goes out when the route reads the body, as nginx and Go's server send it: a request
    /// refused before that (wrong credentials, a declared size past the uploader's quota) gets its
    /// answer before the client has sent any of its body.
    @Test func noContinueIsSentToARequestRefusedBeforeItsBodyIsRead() async throws {
        let app = try TestApp()
        try await app.accounts().add(name: "alice", password: "alice-password", isAdmin: false, quota: 1 << 20)
        let alice = try await app.token(for: "alice")
        let source = app.directory.path + "/body"
        try await Fixtures.randomFile(at: source, size: 32 << 20)
        try await app.live { client in
            let port = client.port!
            for (credentials, status) in [("Bearer wrong", 401), ("Bearer \(alice)", 413)] {
                let reply = try await Curl.request(
                    port: port,
                    "/api/files?name=body",
                    ["-H", "Authorization: \(credentials)", "--expect100-timeout", "60", "-T", source]
                )
                #expect(reply.status == status)
                #expect(!reply.sawContinue && reply.uploaded == 0, "\(status)")
            }
            #expect(try await app.holdsNothing(port: port))
        }
    }

    /// A form or JSON body declared past its limit (64 KiB, 1 MiB) is refused before any of it is
    /// read, with no 100 to invite it, as a declared upload past `--max-upload-size` is.
    @Test func aFormOrJSONBodyDeclaredPastItsLimitIsRefusedBeforeItIsSent() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/body"
        try await Fixtures.randomFile(at: source, size: 2 << 20)
        try await app.live { client in
            let port = client.port!
            let id = try await Curl.request(port: port, "/api/files?name=a", ["--data-binary", "a"]).decoded(FileRecordBody.self).id
            let cases = [
                ("/api/token", "POST", "application/x-www-form-urlencoded", "The form is larger than 65536 bytes."),
                ("/api/files/\(id)", "PATCH", "application/json", "The JSON body is larger than 1048576 bytes."),
            ]
            for (path, method, type, detail) in cases {
                let body = [
                    "-X", method, "-H", "Content-Type: \(type)", "-H", "Expect: 100-continue", "--expect100-timeout", "60", "--data-binary",
                    "@" + source,
                ]
                let reply = try await Curl.request(port: port, path, body)
                #expect(reply.status == 413 && !reply.sawContinue && reply.uploaded == 0, "\(path): \(reply.status) \(reply.uploaded)")
                #expect(try reply.decoded(ErrorBody.self) == ErrorBody(detail: .message(detail)))
            }
        }
    }

    /// `100 Continue` invites the body, so it goes only to a route that takes one: a 404 or a 405
    /// goes out instead, before the body.
    @Test(arguments: [("/api/nowhere", "PUT", 404), ("/api/files/AAAAAAAAAAAAAAAAAAAAAA", "POST", 405), ("/healthz", "PUT", 405)])
    func noContinueIsSentWhereNoRouteTakesABody(path: String, method: String, status: Int) async throws {
        let app = try TestApp()
        let source = app.directory.path + "/body"
        try await Fixtures.randomFile(at: source, size: 32 << 20)
        try await app.live { client in
            let reply = try await Curl.request(port: client.port!, path, ["-X", method, "--expect100-timeout", "60", "-T", source])
            #expect(reply.status == status)
            #expect(!reply.sawContinue)
            #expect(reply.uploaded < 32 << 20)
        }
    }

    @Test func aDeclaredLengthOverTheLimitIsRefusedBeforeAnyBodyByte() async throws {
        let app = try Self.limited()
        let source = app.directory.path + "/big"
        try await Fixtures.randomFile(at: source, size: 64 << 20)
        try await app.live { client in
            let reply = try await Curl.request(port: client.port!, "/api/files?name=big", ["-X", "POST", "--expect100-timeout", "60", "-T", source])
            #expect(reply.status == 413)
            #expect(!reply.sawContinue)
            #expect(reply.uploaded == 0)
            #expect(try reply.decoded(ErrorBody.self).detail.description.contains("10485760"))
            #expect(try await app.holdsNothing(port: client.port!))
        }
    }

    @Test func aDeclaredLengthOverTheLimitWithoutExpectClosesTheConnection() async throws {
        let app = try Self.limited()
        let source = app.directory.path + "/big"
        try await Fixtures.randomFile(at: source, size: 256 << 20)
        try await app.live { client in
            let reply = try await Curl.request(port: client.port!, "/api/files?name=big", ["-X", "POST", "-H", "Expect:", "-T", source])
            #expect(reply.status == 413)
            // The server stopped reading: far less than the body went over the wire.
            #expect(reply.uploaded < 64 << 20)
            #expect(try await app.holdsNothing(port: client.port!))
        }
    }

    /// An early answer is not followed by a drain of the body: the server ends the connection
    /// (the client reads end-of-stream) while 100 MiB it declared are still unsent; so it is for a
    /// body over the limit and for one sent without signing in.
    @Test(arguments: [true, false])
    func anEarlyAnswerEndsTheConnectionInsteadOfDrainingTheBody(signedIn: Bool) async throws {
        let app = try Self.limited()
        let authorization = signedIn ? "Authorization: Bearer \(try await app.token(for: "admin"))\\r\\n" : ""
        try await app.live { client in
            let script = """
                import socket
                s = socket.create_connection(("127.0.0.1", \(client.port!)))
                s.sendall(b"POST /api/files?name=big HTTP/1.1\\r\\nHost: wharf\\r\\n\(authorization)Content-Length: 104857600\\r\\n\\r\\n" + b"x" * 65536)
                s.settimeout(20)
                received = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    received += chunk
                print(received.split(b"\\r\\n")[0].decode())
                print("end of stream")
                """
            let run = try await Command.run("python3", ["-c", script])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.text == (signedIn ? "HTTP/1.1 413 Payload Too Large" : "HTTP/1.1 401 Unauthorized") + "\nend of stream\n")
        }
    }

    @Test func aChunkedBodyOverTheLimitIsCutOffMidStream() async throws {
        let app = try Self.limited()
        let source = app.directory.path + "/big"
        try await Fixtures.randomFile(at: source, size: 256 << 20)
        try await app.live { client in
            let reply = try await Curl.request(
                port: client.port!,
                "/api/files?name=big",
                ["-X", "POST", "-H", "Transfer-Encoding: chunked", "-T", source]
            )
            #expect(reply.status == 413)
            #expect(reply.uploaded < 128 << 20)
            #expect(try await app.holdsNothing(port: client.port!))
        }
    }

    @Test func aClientThatDisconnectsMidUploadLeavesNothing() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/big"
        try await Fixtures.randomFile(at: source, size: 32 << 20)
        try await app.live { client in
            let port = client.port!
            for transfer in [["-H", "Transfer-Encoding: chunked"], []] {
                let curl = try Command.start(
                    "curl",
                    Curl.signedIn(
                        ["-sS", "-o", "/dev/null", "-X", "POST", "--limit-rate", "4M", "-T", source] + transfer
                            + ["http://127.0.0.1:\(port)/api/files?name=cut"]
                    )
                )
                try await waitUntil("the upload is under way") { app.stagedFiles.count == 1 }
                curl.signal(SIGKILL)
                _ = try await Command.wait(curl)
                #expect(try await app.holdsNothing(port: port))
            }
        }
    }

    @Test func aFailureWhileWritingAnswers500AndLeavesNothing() async throws {
        let app = try TestApp()
        let source = app.directory.path + "/big"
        try await Fixtures.randomFile(at: source, size: 8 << 20)
        try await app.live(files: try app.failingFiles(failAfter: 3 << 20)) { client in
            let reply = try await Curl.request(port: client.port!, "/api/files?name=x", ["-X", "POST", "-T", source])
            #expect(reply.status == 500)
            #expect(String(decoding: reply.body, as: UTF8.self) == "{\"detail\":\"Internal Server Error\"}")
            #expect(try await app.holdsNothing(port: client.port!))
        }
    }

    /// The server's start removes them; the subcommands, which open the storage beside a server
    /// that may be running, leave them alone.
    @Test func stagedFilesLeftByACrashAreSweptWhenTheServerStarts() async throws {
        let app = try TestApp()
        let crashed = try await app.files().stage()
        try await crashed.write(.init(repeating: 1, count: 1000))
        #expect(app.stagedFiles.count == 1)
        _ = try await app.files()
        #expect(app.stagedFiles.count == 1)
        let serving = try await Wharf.openStorage(configuration: app.configuration, logger: TestApp.logger, access: .serving)
        #expect(serving.sweptStagingFiles == 1)
        #expect(app.stagedFiles.isEmpty)
        await crashed.abort()
    }
}
