import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import Routing
import TestSupport
import Testing

/// A connection stays open after an answer, or closes, as its request asked (RFC 9112 §9.3), on
/// both carriers (a static file answered on the event loop, a route), over a raw socket.
@Suite(.serialized) struct ConnectionPersistenceTests {
    struct Exchange: Decodable {
        struct Answer: Decodable {
            let status_line: String
            let headers: [String: String]
            let body_length: Int?
            let body: String?
        }

        let answers: [Answer]
        let closed: Bool
    }

    /// The answers to `requests`, written at once; the first `expected` are waited for patiently.
    static func exchange(port: Int, _ requests: String, expecting expected: Int = 1, headOnly: Bool = false) async throws -> Exchange {
        let options = ["--expect", String(expected)] + (headOnly ? ["--head-only"] : [])
        let output = try await PythonClients.run("persistence.py", [String(port), requests] + options, timeout: .seconds(90))
        #expect(output.status == 0, "\(output.text)")
        return try JSONDecoder().decode(Exchange.self, from: Data(output.text.utf8))
    }

    /// An HTTP/1.0 request's `Expect: 100-continue` is ignored (RFC 9110 §10.1.1): no 1xx goes to
    /// an HTTP/1.0 client, which would take it for the answer; the same request in HTTP/1.1 gets
    /// its 100.
    @Test func anHTTP10ClientGetsNo100Continue() async throws {
        let app = try TestApp()
        let token = try await app.token(for: "admin")
        struct Exchange: Decodable {
            let status_lines: [String]
        }
        try await app.live { client in
            for version in ["1.1", "1.0"] {
                let head = "PUT /api/files?name=old.txt HTTP/\(version)\\r\\nHost: a\\r\\nAuthorization: Bearer \(token)\\r\\n"
                let output = try await PythonClients.run(
                    "expecting_client.py",
                    // Long for the 100 that comes (as a loaded machine may be slow to start the
                    // route), two seconds for the one that must not.
                    [String(client.port!), head + "Expect: 100-continue\\r\\nContent-Length: 5\\r\\n\\r\\n", "hello", version == "1.1" ? "60" : "2"]
                )
                let statusLines = try JSONDecoder().decode(Exchange.self, from: Data(output.text.utf8)).status_lines
                let expected = version == "1.1" ? ["HTTP/1.1 100 Continue", "HTTP/1.1 201 Created"] : ["HTTP/1.1 201 Created"]
                #expect(statusLines == expected, "HTTP/\(version): \(output.text) \(output.stderr)")
            }
        }
    }

    @Test func eachRequestKeepsOrEndsItsConnection() async throws {
        let app = try TestApp()
        try Data(String(repeating: "static text\n", count: 80).utf8).write(to: URL(fileURLWithPath: app.configuration.staticDirectory + "/small.txt"))
        let token = try await app.token(for: "admin")
        try await app.live { client in
            let port = client.port!
            // The second sending of the file is answered on the event loop.
            for _ in 0..<2 { _ = try await Curl.request(port: port, "/small.txt", []) }
            for path in ["/small.txt", "/healthz"] {
                // HTTP/1.0 ends the connection unless it asks to keep it.
                let plain = try await Self.exchange(port: port, "GET \(path) HTTP/1.0\\r\\n\\r\\n")
                #expect(plain.closed && plain.answers.count == 1, "\(path)")
                #expect(plain.answers.first?.headers["connection"] == "close", "\(path)")
                #expect(plain.answers.first?.status_line.hasSuffix("200 OK") == true, "\(path)")
                let kept = try await Self.exchange(
                    port: port,
                    "GET \(path) HTTP/1.0\\r\\nConnection: keep-alive\\r\\n\\r\\nGET \(path) HTTP/1.0\\r\\nConnection: keep-alive\\r\\n\\r\\n",
                    expecting: 2
                )
                #expect(!kept.closed && kept.answers.count == 2, "\(path)")
                #expect(kept.answers.allSatisfy { $0.headers["connection"] == "keep-alive" }, "\(path)")
                // HTTP/1.1 keeps it unless told `Connection: close`; a request pipelined after
                // that one is not answered.
                let ended = try await Self.exchange(
                    port: port,
                    "GET \(path) HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\nGET \(path) HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n"
                )
                #expect(ended.closed && ended.answers.count == 1, "\(path)")
                #expect(ended.answers.first?.headers["connection"] == "close", "\(path)")
                let persistent = try await Self.exchange(
                    port: port,
                    "GET \(path) HTTP/1.1\\r\\nHost: a\\r\\n\\r\\nGET \(path) HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n",
                    expecting: 2
                )
                #expect(!persistent.closed && persistent.answers.count == 2, "\(path)")
                #expect(persistent.answers.allSatisfy { $0.headers["connection"] == nil && $0.body_length == Int($0.headers["content-length"]!) })
            }
            // A stream of unknown length reaches HTTP/1.0 unchunked, ended by the close.
            let stream = try await Self.exchange(
                port: port,
                "GET /api/events HTTP/1.0\\r\\nConnection: keep-alive\\r\\nAuthorization: Bearer \(token)\\r\\n\\r\\n",
                headOnly: true
            )
            let head = try #require(stream.answers.first)
            #expect(head.status_line == "HTTP/1.0 200 OK")
            #expect(head.headers["transfer-encoding"] == nil && head.headers["content-length"] == nil)
            #expect(head.headers["connection"] == "close")
        }
    }

    struct DeadlineExchange: Decodable {
        let answers: [String]
        let last_body: String
        let closed_after: Double?
    }

    /// What `stalled_client.py` saw of a connection to `port` that stopped sending.
    static func stalled(port: Int, _ arguments: [String]) async throws -> DeadlineExchange {
        let output = try await PythonClients.run("stalled_client.py", [String(port)] + arguments, timeout: .seconds(60))
        #expect(output.status == 0, "\(output.text)")
        return try JSONDecoder().decode(DeadlineExchange.self, from: Data(output.text.utf8))
    }

    /// A connection that sends no request head, or one that never ends, within the deadline is
    /// answered 408 and closed, as nginx's `client_header_timeout` closes it; a connection whose
    /// first head came in time keeps its usual idle time.
    @Test func aHeadThatDoesNotComeInTimeEndsTheConnection() async throws {
        let app = try TestApp { $0.requestHeadTimeout = DurationText(.seconds(1)) }
        try await app.live { client in
            let port = client.port!
            func exchange(_ arguments: [String]) async throws -> DeadlineExchange { try await Self.stalled(port: port, arguments) }
            for first in ["", "GET /healthz HTTP/1.1\\r\\nHost: a\\r\\n"] {
                let cut = try await exchange([first])
                #expect(cut.answers == ["HTTP/1.1 408 Request Timeout"], "\(first)")
                #expect(cut.last_body.contains("did not come within 1.0 seconds"), "\(cut.last_body)")
                let closedAfter = try #require(cut.closed_after, "the connection was closed")
                #expect(closedAfter >= 0.9 && closedAfter < 20, "\(closedAfter)")
            }
            let request = "GET /healthz HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n"
            let kept = try await exchange([request, request + "GET /healthz HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n"])
            #expect(kept.answers == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"])
        }
    }

    /// A connection idle for `--keepalive-timeout` after its answer is closed.
    @Test func anIdleConnectionIsClosedAfterTheKeepaliveTimeout() async throws {
        let app = try TestApp { $0.keepaliveTimeout = DurationText(.seconds(1)) }
        try await app.live { client in
            let idle = try await Self.stalled(port: client.port!, ["GET /healthz HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n"])
            #expect(idle.answers == ["HTTP/1.1 200 OK"])
            let closedAfter = try #require(idle.closed_after, "the connection was closed")
            #expect(closedAfter >= 0.9 && closedAfter < 20, "\(closedAfter)")
        }
    }

    /// A body that stops coming while the server waits for it is answered 408 once the timeout
    /// passes, as nginx's `client_body_timeout` ends it, and the connection closes: an upload (raw
    /// or a form) keeps nothing of it (no file, no staged bytes), a tus piece keeps what came.
    @Test func aBodyThatStopsComingIsAnswered408() async throws {
        let app = try TestApp { $0.requestBodyTimeout = DurationText(.seconds(1)) }
        let token = try await app.token(for: "admin")
        try await app.live { client in
            let port = client.port!
            let signedIn = "Host: a\\r\\nAuthorization: Bearer \(token)\\r\\n"
            let part = "--b\\r\\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\\r\\n\\r\\n"
            let uploads = [
                "PUT /api/files?name=stalled HTTP/1.1\\r\\n\(signedIn)Content-Length: 100000\\r\\n\\r\\n",
                "POST /api/files HTTP/1.1\\r\\n\(signedIn)Content-Type: multipart/form-data; boundary=b\\r\\nContent-Length: 100000\\r\\n\\r\\n"
                    + part,
            ]
            for start in uploads {
                let upload = try await Self.stalled(port: port, [start + String(repeating: "x", count: 100)])
                #expect(upload.answers == ["HTTP/1.1 408 Request Timeout"], "\(start.prefix(20))")
                #expect(upload.last_body.contains("stopped coming"), "\(upload.last_body)")
                let closedAfter = try #require(upload.closed_after, "the connection was closed")
                #expect(closedAfter >= 0.9 && closedAfter < 20, "\(closedAfter)")
            }
            let listing = try await client.request(.get, "/api/files")
            #expect(try listing.decoded(FilePageBody.self).items.isEmpty)
            try await waitUntil("nothing is left staged") { app.directory.files(under: "storage/tmp").isEmpty }

            let location = try await TusTests.create(client, length: 100_000)
            let piece = try await Self.stalled(
                port: port,
                [
                    "PATCH \(location) HTTP/1.1\\r\\n\(signedIn)Tus-Resumable: 1.0.0\\r\\nUpload-Offset: 0\\r\\n"
                        + "Content-Type: application/offset+octet-stream\\r\\nContent-Length: 100000\\r\\n\\r\\n" + String(repeating: "y", count: 100)
                ]
            )
            #expect(piece.answers == ["HTTP/1.1 408 Request Timeout"])
            let offset = try await client.request(.head, location, headers: TusTests.tus)
            #expect(offset.headers[TusTests.header("Upload-Offset")] == "100")
        }
    }

    /// An answer that outlasts the keepalive timeout while its client takes nothing costs the
    /// server no work meanwhile, whether it goes by sendfile (a static file) or through a route
    /// (a stored file), and neither does one whose client then leaves. The server runs in a
    /// process of its own, so that its CPU time is its alone.
    @Test func anAnswerStalledPastTheKeepaliveTimeoutCostsNoWork() async throws {
        let directory = try TemporaryDirectory()
        let size = 64 << 20
        let source = directory.path + "/stalled.bin"
        try await Fixtures.randomFile(at: source, size: size)
        let (server, port) = try await CommandLineTests.startServer(directory, ["--keepalive-timeout", "1s", "--log-level", "warning"])
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        let id = try await Curl.request(port: port, "/api/files?name=stalled.bin", ["-T", source]).decoded(FileRecordBody.self).id
        let token = try #require(Curl.signedIn([], port: port).last)
        for path in ["/stalled.bin", "/api/files/\(id)/download"] {
            for ending in [[], ["--then-close"]] {
                let before = try Self.cpuTicks(of: server.processIdentifier)
                // Three seconds without reading, two of them past the keepalive timeout.
                let output = try await PythonClients.run("unread_download.py", [String(port), path, "3"] + ending + [token], timeout: .seconds(60))
                let unread = try JSONDecoder().decode(UnreadDownload.self, from: Data(output.text.utf8))
                if ending.isEmpty { #expect(unread.received == size, "\(path): the whole file, once read: \(unread)") }
                // What goes on after a client left is counted too.
                try await Task.sleep(for: .seconds(1))
                let used = try Self.cpuTicks(of: server.processIdentifier) - before
                #expect(used < 100, "\(path) \(ending): \(used) ticks of 10 ms of CPU in about four seconds")
            }
        }
        server.signal(SIGTERM)
        #expect(try await Command.wait(server).status == 0)
    }

    /// The user and system time of process `pid` so far, in ticks of 10 ms.
    static func cpuTicks(of pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // After the command's name in parentheses: state is field 3, utime and stime 14 and 15.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        return Int(fields[11])! + Int(fields[12])!
    }

    struct UnreadDownload: Decodable {
        let status_line: String
        let received: Int
        let length: Int?
        let ended: String
    }

    /// A client that takes none of a download for `--send-timeout` is cut off, as nginx's
    /// `send_timeout` cuts it, whether the answer goes by sendfile (a static file) or through a
    /// route (a stored file), whose open file is then let go; a slow client that keeps taking
    /// bytes is not.
    @Test func aClientThatTakesNothingForTheSendTimeoutIsCutOff() async throws {
        let app = try TestApp { $0.sendTimeout = DurationText(.seconds(1)) }
        let token = try await app.token(for: "admin")
        let size = 32 << 20
        try await Fixtures.randomFile(at: app.configuration.staticDirectory + "/big.bin", size: size)
        try await Fixtures.randomFile(at: app.directory.path + "/stored.bin", size: size)
        try await Fixtures.randomFile(at: app.configuration.staticDirectory + "/small.bin", size: 1 << 20)
        try await app.live { client in
            let port = client.port!
            let stored = try await Curl.request(port: port, "/api/files?name=stored.bin", ["-T", app.directory.path + "/stored.bin"])
            let id = try stored.decoded(FileRecordBody.self).id
            for path in ["/big.bin", "/api/files/\(id)/download"] {
                let output = try await PythonClients.run(
                    "unread_download.py",
                    [String(port), path, "4", "Authorization: Bearer \(token)"],
                    timeout: .seconds(60)
                )
                let unread = try JSONDecoder().decode(UnreadDownload.self, from: Data(output.text.utf8))
                #expect(unread.status_line == "HTTP/1.1 200 OK" && unread.length == size, "\(path): \(unread)")
                #expect(unread.received < size && unread.ended != "timeout", "\(path): the server gave up on it: \(unread)")
            }
            try await waitUntil("the stored file's download let its file go") {
                try openDescriptorTargets().allSatisfy { !$0.hasPrefix(app.directory.path + "/storage/blobs/") }
            }
            // Four seconds at 256 KiB/s, the window never closed for a second.
            let slow = try await Curl.request(port: port, "/small.bin", ["--limit-rate", "256K"])
            #expect(slow.status == 200 && slow.body.count == 1 << 20)
        }
    }

    /// A request the HTTP/1 parser refuses, or an HTTP/1.1 request without one `Host`, is answered
    /// with a JSON error in its turn, and the connection ends: on a connection's first request as
    /// on a later one.
    @Test func aRequestThatCannotBeParsedIsAnsweredAndEndsTheConnection() async throws {
        let app = try TestApp()
        try await app.live { client in
            let port = client.port!
            let cases: [(String, [Int], String)] = [
                ("G(T /healthz HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n", [400], "invalid HTTP method"),
                ("GET /healthz HTTP/1.1\\r\\nHost: a\\r\\n\\r\\nG(T / HTTP/1.1\\r\\n\\r\\n", [200, 400], "invalid HTTP method"),
                (
                    "POST /api/files HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\nContent-Length: 6\\r\\n\\r\\nhello", [400],
                    "content-length"
                ),
                ("GET /healthz HTTP/1.1\\r\\nX-Large: \(String(repeating: "a", count: 90_000))\\r\\n\\r\\n", [431], "too large"),
                // RFC 9112 §3.2: HTTP/1.1 names its host, once.
                ("GET /healthz HTTP/1.1\\r\\n\\r\\n", [400], "Host"),
                ("GET /healthz HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n", [400], "Host"),
                ("GET /healthz HTTP/1.1\\r\\nHOST: a\\r\\nhost: b\\r\\n\\r\\n", [400], "Host"),
                // RFC 9112 §6.1: a transfer coding it does not know, answered 501.
                (
                    "PUT /api/files?name=a HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n\\r\\n",
                    [501], "chunked"
                ),
            ]
            for (request, statuses, detail) in cases {
                let exchange = try await Self.exchange(port: port, request, expecting: statuses.count)
                #expect(exchange.closed, "\(request.prefix(40))")
                #expect(exchange.answers.map { Int($0.status_line.split(separator: " ")[1])! } == statuses, "\(request.prefix(40))")
                let refusal = try #require(exchange.answers.last)
                #expect(refusal.headers["content-type"] == "application/json" && refusal.headers["connection"] == "close")
                let body = try JSONDecoder().decode(ErrorBody.self, from: Data((refusal.body ?? "").utf8))
                #expect(body.detail.description.contains(detail), "\(body.detail)")
            }
            // Field names are read in any case: one `Host` in lower case is one Host.
            let lowerCase = try await Self.exchange(port: port, "GET /healthz HTTP/1.1\\r\\nhost: a\\r\\nConnection: close\\r\\n\\r\\n")
            #expect(lowerCase.answers.map(\.status_line) == ["HTTP/1.1 200 OK"])
        }
    }

    /// CONNECT is refused as nginx refuses it, 400, and the connection ends: NIO sends every answer
    /// to CONNECT without a body or its length, so a connection kept open would leave the client
    /// waiting for the close that ends the body. What was pipelined after it is not answered.
    @Test func aConnectRequestIsRefusedAndEndsTheConnection() async throws {
        let app = try TestApp()
        try await app.live { client in
            let exchange = try await Self.exchange(
                port: client.port!,
                "CONNECT 127.0.0.1:443 HTTP/1.1\\r\\nHost: 127.0.0.1:443\\r\\n\\r\\nGET /healthz HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n"
            )
            #expect(exchange.closed)
            #expect(exchange.answers.map(\.status_line) == ["HTTP/1.1 400 Bad Request"])
            #expect(exchange.answers.first?.headers["connection"] == "close")
            #expect(exchange.answers.first?.body_length == 0)
        }
    }
}
