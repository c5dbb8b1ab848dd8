import App
import Foundation
import TestSupport
import Testing

/// HTTPS with `--tls-cert` and `--tls-key`: HTTP/2 by ALPN, HTTP/1.1 besides, a Secure session
/// cookie, and certificates that cannot be used refused at start.
@Suite(.serialized) struct TLSTests {
    /// A self-signed certificate for 127.0.0.1 and its key, made by openssl.
    static func certificate(in directory: TemporaryDirectory) async throws -> (certificate: String, key: String) {
        let (certificate, key) = (directory.path + "/cert.pem", directory.path + "/key.pem")
        let made = try await Command.run(
            "openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ]
        )
        try #require(made.status == 0, "openssl made a certificate: \(made.stderr)")
        return (certificate, key)
    }

    /// A server of HTTPS from `directory`, with a certificate made there and `arguments` besides:
    /// the server, its port, the certificate, and where `curl` writes bodies.
    static func startServer(
        in directory: TemporaryDirectory,
        _ arguments: [String] = []
    ) async throws -> (server: RunningProcess, port: Int, certificate: String, body: String) {
        let (certificate, key) = try await Self.certificate(in: directory)
        let body = directory.path + "/body"
        let (server, port) = try await CommandLineTests.startServer(
            directory,
            ["--tls-cert", certificate, "--tls-key", key] + arguments,
            isHealthy: { port in (try? await Self.curl(port, "/healthz", [], certificate: certificate, body: body))?.status == 200 }
        )
        return (server, port, certificate, body)
    }

    /// curl over HTTPS, trusting only the test's certificate: the protocol version, the status
    /// and the headers, with the body written to `body`.
    static func curl(
        _ port: Int,
        _ path: String,
        _ arguments: [String],
        certificate: String,
        body: String
    ) async throws -> (version: String, status: Int, headers: String) {
        let headers = body + ".headers"
        let output = try await Command.run(
            "curl",
            ["-sS", "--cacert", certificate, "-o", body, "-D", headers, "-w", "%{http_version} %{http_code}", "--max-time", "30"] + arguments
                + ["https://127.0.0.1:\(port)\(path)"]
        )
        let written = output.text.split(separator: " ")
        return (String(written.first ?? ""), Int(written.last ?? "") ?? 0, (try? String(contentsOfFile: headers, encoding: .utf8)) ?? "")
    }

    /// A bearer token for `admin` from `POST /api/token` over HTTPS.
    static func signIn(_ port: Int, certificate: String, body: String) async throws -> String {
        let signIn = try await Self.curl(
            port,
            "/api/token",
            ["-d", "grant_type=password", "-d", "username=admin", "-d", "password=\(TestApp.adminPassword)"],
            certificate: certificate,
            body: body
        )
        try #require(signIn.status == 200)
        return try JSONDecoder().decode(TokenBody.self, from: Data(contentsOf: URL(fileURLWithPath: body))).access_token
    }

    /// A connection to the HTTPS port that never starts its TLS handshake is closed after
    /// `--request-head-timeout`; one that finishes it and then sends no request head is answered
    /// 408 over TLS and closed.
    @Test func aHandshakeOrHeadThatDoesNotComeInTimeEndsTheConnection() async throws {
        let directory = try TemporaryDirectory()
        let (server, port, _, _) = try await Self.startServer(in: directory, ["--request-head-timeout", "1s"])
        defer { server.signal(SIGKILL) }
        for arguments in [[""], ["", "--tls"]] {
            let output = try await PythonClients.run("stalled_client.py", [String(port)] + arguments, timeout: .seconds(60))
            let exchange = try JSONDecoder().decode(ConnectionPersistenceTests.DeadlineExchange.self, from: Data(output.text.utf8))
            let closedAfter = try #require(exchange.closed_after, "\(arguments): the connection was closed")
            #expect(closedAfter >= 0.9 && closedAfter < 20, "\(arguments): \(closedAfter)")
            #expect(exchange.answers == (arguments.contains("--tls") ? ["HTTP/1.1 408 Request Timeout"] : []), "\(arguments)")
        }
    }

    /// A client over HTTPS that takes none of a download for `--send-timeout` is cut off, as over
    /// plain HTTP: the kernel's watch is set on every accepted socket, whatever speaks on it.
    @Test func aClientThatTakesNothingOverHTTPSIsCutOff() async throws {
        let directory = try TemporaryDirectory()
        let size = 32 << 20
        try await Fixtures.randomFile(at: directory.path + "/big.bin", size: size)
        let (server, port, _, _) = try await Self.startServer(in: directory, ["--send-timeout", "1s", "--log-level", "warning"])
        let output = try await PythonClients.run("unread_download.py", [String(port), "/big.bin", "4", "--tls"], timeout: .seconds(60))
        let unread = try JSONDecoder().decode(ConnectionPersistenceTests.UnreadDownload.self, from: Data(output.text.utf8))
        #expect(unread.status_line == "HTTP/1.1 200 OK" && unread.length == size, "\(unread)")
        #expect(unread.received < size && unread.ended != "timeout", "the server gave up on it: \(unread)")
        server.signal(SIGTERM)
        _ = try await Command.wait(server)
    }

    /// An HTTP/2 stream whose client keeps its flow-control window shut while the connection goes
    /// on (h2 answers the server's PINGs), which the kernel's watch of the connection cannot see,
    /// is reset after `--send-timeout`, a static file's as a stored file's, and the stored file is
    /// let go; a client that opens its window slowly (64 KiB a second) is not cut off.
    @Test func anHTTP2StreamHeldShutIsResetAfterTheSendTimeout() async throws {
        struct Stalled: Decodable {
            let status: Int?
            let received: Int
            let reset_after: Double?
            let ended: Bool
        }
        let directory = try TemporaryDirectory()
        let size = 32 << 20
        try await Fixtures.randomFile(at: directory.path + "/big.bin", size: size)
        let (server, port, certificate, body) = try await Self.startServer(in: directory, ["--send-timeout", "3s"])
        defer { server.signal(SIGKILL) }
        let token = try await Self.signIn(port, certificate: certificate, body: body)
        let authorization = "authorization: Bearer " + token
        let upload = try await Self.curl(
            port,
            "/api/files?name=stored.bin",
            ["-T", directory.path + "/big.bin", "-H", authorization],
            certificate: certificate,
            body: body
        )
        try #require(upload.status == 201)
        let id = try JSONDecoder().decode(FileRecordBody.self, from: Data(contentsOf: URL(fileURLWithPath: body))).id
        for path in ["/big.bin", "/api/files/\(id)/download"] {
            let output = try await PythonClients.run("h2_stalled_stream.py", [String(port), path, "20", authorization], timeout: .seconds(60))
            let stalled = try JSONDecoder().decode(Stalled.self, from: Data(output.text.utf8))
            #expect(stalled.status == 200 && stalled.received < size && !stalled.ended, "\(path): \(output.text) \(output.stderr)")
            let resetAfter = try #require(stalled.reset_after, "\(path): the stream was reset: \(output.text)")
            #expect(resetAfter >= 2.9 && resetAfter < 15, "\(path): \(resetAfter)")
        }
        let descriptors = "/proc/\(server.processIdentifier)/fd"
        try await waitUntil("the stored file's download let its file go") {
            try FileManager.default.contentsOfDirectory(atPath: descriptors).allSatisfy { descriptor in
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: descriptors + "/" + descriptor)) ?? ""
                return !target.contains("/blobs/")
            }
        }
        let output = try await PythonClients.run("h2_stalled_stream.py", [String(port), "/big.bin", "7", "--slow"], timeout: .seconds(60))
        let slow = try JSONDecoder().decode(Stalled.self, from: Data(output.text.utf8))
        #expect(slow.status == 200 && slow.reset_after == nil && slow.received > 256 << 10, "\(output.text) \(output.stderr)")
    }

    /// An HTTP/2 connection idle for `--keepalive-timeout` gets a GOAWAY, and one whose client
    /// never answers it (nor the PING after it) is closed once the shutdown grace has passed.
    @Test func anHTTP2ClientThatNeverAnswersTheGoAwayIsLetGo() async throws {
        struct Silent: Decodable {
            let frames: [Int]
            let closed_after: Double?
        }
        let directory = try TemporaryDirectory()
        let (server, port, _, _) = try await Self.startServer(in: directory, ["--keepalive-timeout", "1s", "--shutdown-grace", "1s"])
        defer { server.signal(SIGKILL) }
        let output = try await PythonClients.run("h2_silent.py", [String(port)], timeout: .seconds(60))
        let silent = try JSONDecoder().decode(Silent.self, from: Data(output.text.utf8))
        #expect(silent.frames.contains(7), "a GOAWAY came: \(silent.frames)")
        let closedAfter = try #require(silent.closed_after, "the connection was closed")
        #expect(closedAfter >= 1.9 && closedAfter < 20, "\(closedAfter)")
    }

    /// Over HTTP/2 as over HTTP/1.1, `100 Continue` goes out when the route reads the body: a
    /// client that waits for it (h2, the Python library) is answered 401 without sending any of
    /// its body when its credentials are wrong, and invited to send it when they are right.
    @Test func http2SendsContinueWhenTheRouteReadsTheBody() async throws {
        struct Exchange: Decodable, Equatable {
            let informational: [Int]
            let status: Int?
            let sent: Int
        }
        let directory = try TemporaryDirectory()
        let (server, port, certificate, body) = try await Self.startServer(in: directory)
        defer { server.signal(SIGKILL) }
        let token = try await Self.signIn(port, certificate: certificate, body: body)
        let size = 3 << 20
        for (authorization, expected) in [
            ("Bearer wrong", Exchange(informational: [], status: 401, sent: 0)),
            ("Bearer " + token, Exchange(informational: [100], status: 201, sent: size)),
        ] {
            let output = try await PythonClients.run("h2_expect.py", [String(port), authorization, String(size)], timeout: .seconds(60))
            #expect(try JSONDecoder().decode(Exchange.self, from: Data(output.text.utf8)) == expected, "\(output.text) \(output.stderr)")
        }
    }

    /// An upload over HTTP/2 whose client resets its stream mid-body is a body cut off, as a
    /// closed HTTP/1 connection's: counted as a 400, not as a fault of the server (500, logged as
    /// an error), nothing of it is kept, and its access-log line says 499, aborted.
    @Test func anUploadWhoseStreamTheClientResetsLeavesNothingAndNoFault() async throws {
        struct Reset: Decodable {
            let sent: Int
        }
        let directory = try TemporaryDirectory()
        let (server, port, certificate, body) = try await Self.startServer(in: directory, ["--log-level", "info"])
        defer { server.signal(SIGKILL) }
        let token = try await Self.signIn(port, certificate: certificate, body: body)
        let output = try await PythonClients.run("h2_reset_upload.py", [String(port), "Bearer " + token], timeout: .seconds(60))
        #expect(try JSONDecoder().decode(Reset.self, from: Data(output.text.utf8)).sent == 1 << 20, "\(output.text) \(output.stderr)")
        let line = #"wharf_http_requests_total{route="/api/files",method="PUT",status="400"} 1"#
        try await waitUntil("the cut-off upload is counted as a 400") {
            _ = try await Self.curl(port, "/metrics", [], certificate: certificate, body: body)
            return try String(contentsOfFile: body, encoding: .utf8).contains(line)
        }
        #expect(try !String(contentsOfFile: body, encoding: .utf8).contains(#"status="500""#))
        #expect(directory.files(under: "storage/tmp").isEmpty && directory.files(under: "storage/blobs").isEmpty)
        let listing = try await Self.curl(port, "/api/files", ["-H", "Authorization: Bearer " + token], certificate: certificate, body: body)
        #expect(
            try listing.status == 200 && JSONDecoder().decode(FilePageBody.self, from: Data(contentsOf: URL(fileURLWithPath: body))).items.isEmpty
        )
        // Its access-log line: no answer could begin on the reset stream, so 499, as nginx logs it.
        server.signal(SIGTERM)
        let lines = try await Command.wait(server).text.split(separator: "\n").filter { $0.contains("log=access") && $0.contains("method=PUT") }
        #expect(lines.count == 1 && lines.first?.contains("status=499") == true && lines.first?.contains("outcome=aborted") == true, "\(lines)")
    }

    /// An upload over HTTP/2 is not held to the protocol's default window of 64 KiB a round trip:
    /// the server announces 1 MiB a stream and widens the connection's window to 16 MiB once the
    /// first bytes of a body come.
    @Test func http2GrantsUploadsWindowsOfMiBs() async throws {
        struct Windows: Decodable {
            let initial_window_size: Int?
            let connection_window: Int
        }
        let directory = try TemporaryDirectory()
        let (server, port, _, _) = try await Self.startServer(in: directory)
        defer { server.signal(SIGKILL) }
        let output = try await PythonClients.run("h2_windows.py", [String(port)], timeout: .seconds(30))
        let windows = try JSONDecoder().decode(Windows.self, from: Data(output.text.utf8))
        #expect(windows.initial_window_size == 1 << 20, "\(output.text)")
        #expect(windows.connection_window == 16 << 20, "\(output.text)")
    }

    @Test func httpsSpeaksHTTP2AndHTTP1AndMarksTheSessionCookieSecure() async throws {
        let directory = try TemporaryDirectory()
        try await Fixtures.randomFile(at: directory.path + "/large.bin", size: 3 << 20)
        try Data("<p>hello</p>".utf8).write(to: URL(fileURLWithPath: directory.path + "/index.html"))
        try FileManager.default.copyItem(atPath: PythonClients.site + "/login.html", toPath: directory.path + "/login.html")
        let (server, port, certificate, body) = try await Self.startServer(in: directory)
        defer { server.signal(SIGKILL) }
        func fastAnswers() async throws -> Int {
            _ = try await Self.curl(port, "/metrics", [], certificate: certificate, body: body)
            let metrics = try String(contentsOfFile: body, encoding: .utf8)
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("wharf_static_fast_path_answers_total ") }
            return Int(line?.split(separator: " ").last ?? "") ?? 0
        }
        let large = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/large.bin"))
        let largeDigest = try await Fixtures.sha256(ofFile: directory.path + "/large.bin")
        let token = try await Self.signIn(port, certificate: certificate, body: body)
        for (flag, version) in [("--http2", "2"), ("--http1.1", "1.1")] {
            // A body streamed to the responder, past HTTP/2's first flow-control windows.
            let upload = try await Self.curl(
                port,
                "/api/files?name=large.bin",
                [flag, "-T", directory.path + "/large.bin", "-H", "Authorization: Bearer " + token],
                certificate: certificate,
                body: body
            )
            #expect(upload.version == version && upload.status == 201)
            let record = try JSONDecoder().decode(FileRecordBody.self, from: Data(contentsOf: URL(fileURLWithPath: body)))
            #expect(record.size == 3 << 20 && record.sha256 == largeDigest, "the upload over \(version) arrived whole")
            let before = try await fastAnswers()
            for _ in 0..<2 {
                let page = try await Self.curl(port, "/", [flag], certificate: certificate, body: body)
                #expect(page.version == version && page.status == 200)
                #expect(try Data(contentsOf: URL(fileURLWithPath: body)) == Data("<p>hello</p>".utf8))
                let download = try await Self.curl(port, "/large.bin", [flag], certificate: certificate, body: body)
                #expect(download.version == version && download.status == 200)
                #expect(try Data(contentsOf: URL(fileURLWithPath: body)) == large, "the whole file over \(version), copied (no sendfile under TLS)")
                let range = try await Self.curl(port, "/large.bin", [flag, "-r", "1000-1999"], certificate: certificate, body: body)
                let part = try Data(contentsOf: URL(fileURLWithPath: body))
                #expect(range.status == 206 && part == large[1000..<2000])
            }
            // The page from memory, by the carrier of HTTP/2 streams or of HTTP/1 connections.
            #expect(try await fastAnswers() > before, "static answers over \(version) on the event loop")
        }
        let signIn = try await Self.curl(
            port,
            "/login",
            ["--http2", "--data-urlencode", "username=admin", "--data-urlencode", "password=\(TestApp.adminPassword)"],
            certificate: certificate,
            body: body
        )
        #expect(signIn.status == 303)
        let cookie = signIn.headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") }
        #expect(cookie?.contains("Secure") == true, "the session cookie of an HTTPS server is Secure: \(signIn.headers)")
        // Plain HTTP to the HTTPS port is told so, as nginx does, not cut off mid-handshake.
        let plain = try await Curl.request(port: port, "/healthz", [])
        #expect(plain.status == 400)
        #expect(String(decoding: plain.body, as: UTF8.self).contains("This port speaks HTTPS"))
        #expect((try await Self.curl(port, "/healthz", [], certificate: certificate, body: body)).status == 200)
    }

    /// `/api/ws` over HTTPS (HTTP/1.1 by ALPN): the upgrade is made, masked frames keep it open,
    /// and a frame the client did not mask closes it with 1002, as over plain HTTP.
    @Test func aWebSocketOverHTTPSGuardsItsFramesAsOverHTTP() async throws {
        let directory = try TemporaryDirectory()
        let (server, port, certificate, body) = try await Self.startServer(in: directory)
        defer { server.signal(SIGKILL) }
        let token = try await Self.signIn(port, certificate: certificate, body: body)
        let tls = "--tls=" + certificate
        let masked = try await EventsTests.sendFrames(port: port, token: token, [tls, "masked:hello", "masked:again"])
        #expect(masked == EventsTests.FramesOutcome(status: 101, closeCode: nil, closed: false))
        let unmasked = try await EventsTests.sendFrames(port: port, token: token, [tls, "masked:hello", "unmasked:hello"])
        #expect(unmasked == EventsTests.FramesOutcome(status: 101, closeCode: 1002, closed: true))
    }

    @Test(arguments: [
        ("missing.pem", "key.pem", "The TLS certificate"), ("cert.pem", "missing.pem", "The TLS key"), ("cert.pem", "other.pem", "does not fit"),
    ])
    func unusableCertificatesAreRefusedAtStart(certificate: String, key: String, complaint: String) async throws {
        let directory = try TemporaryDirectory()
        _ = try await Self.certificate(in: directory)
        let other = try TemporaryDirectory()
        let (_, otherKey) = try await Self.certificate(in: other)
        try FileManager.default.copyItem(atPath: otherKey, toPath: directory.path + "/other.pem")
        let exit = try await Command.run(
            CommandLineTests.binary,
            [
                "serve", "--port", "0", "--static", directory.path, "--tls-cert", directory.path + "/" + certificate, "--tls-key",
                directory.path + "/" + key,
            ],
            environment: CommandLineTests.environment(directory)
        )
        #expect(exit.status != 0)
        #expect(exit.stderr.contains(complaint) && exit.stderr.contains(directory.path), "\(exit.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/storage/wharf.sqlite"), "nothing is created before the refusal")
        let alone = try await Command.run(CommandLineTests.binary, ["serve", "--port", "0", "--tls-cert", directory.path + "/cert.pem"])
        #expect(alone.status != 0 && alone.stderr.contains("go together"))
    }
}
