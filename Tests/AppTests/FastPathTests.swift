import App
import Crypto
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// The event-loop carrier of static answers against the router's, over real sockets with curl:
/// the same answers, in order, fresh after a change, a removed file let go, and a file cut short
/// under sendfile.
@Suite(.serialized) struct FastPathTests {
    /// The same bytes and times in every static directory given.
    static func populate(_ root: String) async throws {
        let text = String(repeating: "static text, the same in both directories.\n", count: 48)
        try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/small.txt"))
        try await Fixtures.randomFile(at: root + "/large.bin", size: 1 << 20, seed: 7)
        try FileManager.default.createDirectory(atPath: root + "/page", withIntermediateDirectories: true)
        try Data("<p>page</p>".utf8).write(to: URL(fileURLWithPath: root + "/page/index.html"))
        try Data(String(repeating: "export const answer = 42;\n", count: 80).utf8).write(to: URL(fileURLWithPath: root + "/app.js"))
        try Data("brotli bytes".utf8).write(to: URL(fileURLWithPath: root + "/app.js.br"))
        try Data("gzip bytes".utf8).write(to: URL(fileURLWithPath: root + "/app.js.gz"))
        try Data("<p>not here</p>".utf8).write(to: URL(fileURLWithPath: root + "/404.html"))
        let names = try FileManager.default.subpathsOfDirectory(atPath: root)
        for name in names {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_790_000_000)], ofItemAtPath: root + "/" + name)
        }
    }

    static func fastAnswers(port: Int) async throws -> Int {
        let metrics = try await Curl.request(port: port, "/metrics", [])
        let line = String(decoding: metrics.body, as: UTF8.self).split(separator: "\n").first {
            $0.hasPrefix("wharf_static_fast_path_answers_total ")
        }
        return Int(line?.split(separator: " ").last ?? "0") ?? 0
    }

    /// Status, headers but `Date` and `X-Process-Time`, and body (none for HEAD: curl -I writes
    /// the head there), with a multipart boundary (random per answer, so is the length of the
    /// body) replaced by `BOUNDARY`.
    static func comparable(_ reply: Curl.Reply, isHead: Bool) -> String {
        var headers = reply.headers
        headers["date"] = nil
        headers["x-process-time"] = nil
        var body = isHead ? "" : String(decoding: reply.body, as: UTF8.self)
        if let type = headers["content-type"], let range = type.range(of: "boundary=") {
            let boundary = String(type[range.upperBound...])
            headers["content-type"] = type.replacingOccurrences(of: boundary, with: "BOUNDARY")
            body = body.replacingOccurrences(of: boundary, with: "BOUNDARY")
            if headers["content-length"] == String(reply.body.count) { headers["content-length"] = "the body's" }
        }
        let head = headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n")
        return "\(reply.status)\n\(head)\n\n" + SHA256.hash(data: Data(body.utf8)).description
    }

    /// Two live servers of the same populated static directory: one that answers every request
    /// through the router, one with the event-loop carrier; `body` gets their ports.
    static func withBothCarriers(
        adding extra: (_ root: String) throws -> Void = { _ in },
        _ body: @escaping @Sendable (_ routedPort: Int, _ fastPort: Int) async throws -> Void
    ) async throws {
        let routed = try TestApp { $0.staticFastPath = false }
        let fast = try TestApp()
        for root in [routed.configuration.staticDirectory, fast.configuration.staticDirectory] {
            try await Self.populate(root)
            try extra(root)
        }
        try await routed.live { routedClient in
            try await fast.live { fastClient in try await body(routedClient.port!, fastClient.port!) }
        }
    }

    @Test func theEventLoopCarrierAndTheRouterGiveTheSameAnswers() async throws {
        try await Self.withBothCarriers { routedPort, fastPort in
            let tag = try #require(try await Curl.request(port: routedPort, "/large.bin", ["-I"]).headers["etag"])
            let smallTag = try #require(try await Curl.request(port: routedPort, "/small.txt", ["-I"]).headers["etag"])
            // Each request, and whether its second sending is answered on the event loop.
            let table: [(String, [String], Bool)] = [
                ("/small.txt", [], true), ("/small.txt", ["-I"], true), ("/small.txt", ["-H", "Accept-Encoding: gzip"], true),
                ("/small.txt", ["-H", "If-None-Match: \(smallTag)"], true), ("/small.txt", ["-r", "0-9,20-29"], true),
                ("/large.bin", [], true), ("/large.bin", ["-I"], true), ("/large.bin", ["-r", "100-199"], true),
                ("/large.bin", ["-r", "-10"], true), ("/large.bin", ["-I", "-r", "100-199"], true),
                ("/large.bin", ["-r", "0-9,500000-500099"], true),
                ("/large.bin", ["-r", "2000000-"], false), ("/large.bin", ["-H", "If-None-Match: \(tag)"], true),
                ("/large.bin", ["-H", "If-None-Match: \"other\""], true),
                ("/large.bin", ["-H", "If-Modified-Since: Tue, 22 Sep 2026 14:13:20 GMT"], true),
                ("/large.bin", ["-H", "If-Match: \"other\""], false),
                ("/large.bin", ["-H", "If-Unmodified-Since: Thu, 01 Jan 2015 00:00:00 GMT"], false),
                ("/large.bin", ["-r", "0-99", "-H", "If-Range: \(tag)"], true),
                ("/large.bin", ["-r", "0-99", "-H", "If-Range: \"other\""], true),
                ("/app.js", ["-H", "Accept-Encoding: br"], true), ("/app.js", ["-H", "Accept-Encoding: gzip, br;q=0.5"], true),
                ("/app.js", ["-r", "2-5", "-H", "Accept-Encoding: br"], true),
                // Field names in any case, and a field sent twice, read from HTTP/1 as the HTTP types read them.
                ("/app.js", ["-H", "accept-ENCODING: br"], true),
                ("/app.js", ["-H", "Accept-Encoding: gzip;q=0.5", "-H", "Accept-Encoding: br"], true),
                ("/small.txt", ["-H", "RANGE: bytes=0-9"], true), ("/small.txt", ["-H", "if-none-match: \(smallTag)"], true),
                ("/app.js", [], true), ("/", [], true), ("/page/", [], true), ("/page", [], false), ("/missing.txt", [], false),
                ("/large.bin?version=2", [], true), ("/healthz", [], false),
            ]
            var expectedFast = 0
            for (path, arguments, isFast) in table {
                let arguments = arguments + ["-H", "X-Request-ID: compared"]
                _ = try await Curl.request(port: fastPort, path, arguments)
                let before = try await Self.fastAnswers(port: fastPort)
                let viaRouter = try await Curl.request(port: routedPort, path, arguments)
                let viaFastPath = try await Curl.request(port: fastPort, path, arguments)
                let isHead = arguments.contains("-I")
                #expect(Self.comparable(viaFastPath, isHead: isHead) == Self.comparable(viaRouter, isHead: isHead), "\(path) \(arguments)")
                #expect(viaFastPath.headers["x-process-time"] != nil && viaFastPath.headers["date"] != nil)
                #expect(try await Self.fastAnswers(port: fastPort) - before == (isFast ? 1 : 0), "\(path) \(arguments) fast: \(isFast)")
                if isFast { expectedFast += 1 }
            }
            #expect(try await Self.fastAnswers(port: routedPort) == 0)
            #expect(expectedFast > 20)
        }
    }

    /// A file of `size` bytes that holds `texts` at their offsets and zeros elsewhere, in holes
    /// that take no room on the disk; modified when `populate`'s files were.
    static func sparseFile(at path: String, size: Int64, texts: [(offset: Int64, text: String)]) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size))
        for (offset, text) in texts {
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: Data(text.utf8))
        }
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_790_000_000)], ofItemAtPath: path)
    }

    /// Lengths and offsets past 32 bits, as a disk image or a video of several GiB has them: its
    /// length, a range beyond the 4 GiB mark, one across it, a suffix, and two ranges in one answer,
    /// alike from both carriers. Its first answers go out at once, without the entity tag its
    /// content hash (seconds of reading) gives the later ones; a request that names entity tags
    /// waits for that hash.
    @Test func aFilePastFourGiBIsAnsweredAtOnceAndRangedInSixtyFourBits() async throws {
        let size: Int64 = 5 << 30 + 77
        let (marker, markerOffset) = ("past the 4 GiB mark", Int64(4 << 30) + 4096)
        let last = "the last bytes."
        let markerRange = "\(markerOffset)-\(markerOffset + Int64(marker.utf8.count) - 1)"
        let image: (String) throws -> Void = { root in
            try Self.sparseFile(at: root + "/disk.img", size: size, texts: [(markerOffset, marker), (size - Int64(last.utf8.count), last)])
        }
        try await Self.withBothCarriers(adding: image) { routedPort, fastPort in
            for port in [routedPort, fastPort] {
                let head = try await Curl.request(port: port, "/disk.img", ["-I"])
                #expect(head.status == 200 && head.headers["content-length"] == String(size), "\(port)")
                #expect(head.headers["etag"] == nil && head.headers["last-modified"] != nil, "\(port): not hashed yet")
                let past = try await Curl.request(port: port, "/disk.img", ["-r", markerRange])
                #expect(past.status == 206 && String(decoding: past.body, as: UTF8.self) == marker, "\(port)")
                #expect(past.headers["content-range"] == "bytes \(markerRange)/\(size)", "\(port)")
                let across = try await Curl.request(port: port, "/disk.img", ["-r", "\((4 << 30) - 8)-\((4 << 30) + 7)"])
                #expect(across.status == 206 && across.body == Data(count: 16), "\(port)")
                #expect(across.headers["content-range"] == "bytes 4294967288-4294967303/\(size)", "\(port)")
                let suffix = try await Curl.request(port: port, "/disk.img", ["-r", "-\(last.utf8.count)"])
                #expect(suffix.status == 206 && String(decoding: suffix.body, as: UTF8.self) == last, "\(port)")
                let both = try await Curl.request(port: port, "/disk.img", ["-r", "\(markerRange),\(size - 15)-"])
                let parts = String(decoding: both.body, as: UTF8.self)
                #expect(both.status == 206 && parts.contains("Content-Range: bytes \(markerRange)/\(size)\r\n\r\n\(marker)\r\n"), "\(port)")
                #expect(parts.contains("Content-Range: bytes \(size - 15)-\(size - 1)/\(size)\r\n\r\n\(last)\r\n"), "\(port)")
            }
            for port in [routedPort, fastPort] {
                let conditional = try await Curl.request(port: port, "/disk.img", ["-I", "-H", "If-None-Match: \"other\""])
                let tag = try #require(conditional.headers["etag"], "\(port): the answer waited for the hash")
                #expect(conditional.status == 200 && tag.count == 34, "\(port)")
                #expect(try await Curl.request(port: port, "/disk.img", ["-I", "-H", "If-None-Match: \(tag)"]).status == 304, "\(port)")
                let resumed = try await Curl.request(port: port, "/disk.img", ["-r", markerRange, "-H", "If-Range: \(tag)"])
                #expect(resumed.status == 206 && resumed.headers["etag"] == tag, "\(port)")
            }
            for arguments in [["-I"], ["-r", markerRange], ["-r", "-15"]] {
                let arguments = arguments + ["-H", "X-Request-ID: compared"]
                let viaRouter = try await Curl.request(port: routedPort, "/disk.img", arguments)
                let viaFastPath = try await Curl.request(port: fastPort, "/disk.img", arguments)
                let isHead = arguments.contains("-I")
                #expect(Self.comparable(viaFastPath, isHead: isHead) == Self.comparable(viaRouter, isHead: isHead), "\(arguments)")
            }
        }
    }

    struct RawExchange: Decodable {
        struct Answer: Decodable {
            let status_line: String
            let lines: [String]
        }

        let answers: [Answer]
    }

    /// The status line and head lines of the answer to `request` (raw HTTP/1, `\\r\\n` line
    /// ends) as they came on the wire, in order, with the values of `Date` and `X-Process-Time`
    /// left out (they differ between any two answers).
    static func rawHead(port: Int, _ request: String) async throws -> [String] {
        let output = try await PythonClients.run("persistence.py", [String(port), request], timeout: .seconds(90))
        #expect(output.status == 0, "\(output.text)")
        let answer = try #require(try JSONDecoder().decode(RawExchange.self, from: Data(output.text.utf8)).answers.first)
        return [answer.status_line]
            + answer.lines.map { line in
                ["Date:", "X-Process-Time:"].first { line.hasPrefix($0) } ?? line
            }
    }

    /// Both carriers write the same head, byte for byte and in the same order (but for the
    /// values of `Date` and `X-Process-Time`), to HTTP/1.1 and HTTP/1.0 requests, whether the
    /// answer is remembered (its head written once), made for the request (several ranges) or
    /// made from its plan's single-range head (a range).
    @Test func bothCarriersWriteTheSameHeadBytes() async throws {
        try await Self.withBothCarriers { routedPort, fastPort in
            let smallTag = try #require(try await Curl.request(port: routedPort, "/small.txt", ["-I"]).headers["etag"])
            let id = "X-Request-ID: compared\\r\\n"
            let requests = [
                "GET /small.txt HTTP/1.1\\r\\nHost: a\\r\\n\(id)Connection: close\\r\\n\\r\\n",
                "HEAD /small.txt HTTP/1.1\\r\\nHost: a\\r\\n\(id)Connection: close\\r\\n\\r\\n",
                "GET /app.js HTTP/1.1\\r\\nHost: a\\r\\n\(id)Accept-Encoding: gzip\\r\\nConnection: close\\r\\n\\r\\n",
                "GET /small.txt HTTP/1.1\\r\\nHost: a\\r\\n\(id)If-None-Match: \(smallTag)\\r\\nConnection: close\\r\\n\\r\\n",
                "GET /large.bin HTTP/1.1\\r\\nHost: a\\r\\n\(id)Range: bytes=100-199\\r\\nConnection: close\\r\\n\\r\\n",
                "HEAD /large.bin HTTP/1.1\\r\\nHost: a\\r\\n\(id)Range: bytes=-10\\r\\nConnection: close\\r\\n\\r\\n",
                "GET /app.js HTTP/1.1\\r\\nHost: a\\r\\n\(id)Range: bytes=2-5\\r\\nAccept-Encoding: br\\r\\nConnection: close\\r\\n\\r\\n",
                "GET /small.txt HTTP/1.0\\r\\n\(id)\\r\\n",
                "GET /small.txt HTTP/1.0\\r\\n\(id)Connection: keep-alive\\r\\n\\r\\n",
            ]
            for request in requests {
                _ = try await Self.rawHead(port: fastPort, request)
                let before = try await Self.fastAnswers(port: fastPort)
                let viaRouter = try await Self.rawHead(port: routedPort, request)
                let viaFastPath = try await Self.rawHead(port: fastPort, request)
                #expect(viaFastPath == viaRouter, "\(request)")
                #expect(viaFastPath.contains("Date:") && viaFastPath.contains("X-Process-Time:"), "\(request)")
                #expect(try await Self.fastAnswers(port: fastPort) - before == 1, "\(request)")
            }
        }
    }

    struct PipelinedAnswer: Decodable {
        let status: Int
        let id: String
        let sha256: String
    }

    /// `requests` ("METHOD:/path") sent at once on one connection; their answers, which must come
    /// in order (ids `p0`, `p1`, ...).
    static func pipelined(port: Int, _ requests: [String]) async throws -> [PipelinedAnswer] {
        let output = try await PythonClients.run("pipelined.py", [String(port)] + requests, timeout: .seconds(60))
        #expect(output.status == 0, "\(output.text)")
        let answers = try output.text.split(separator: "\n").map { try JSONDecoder().decode(PipelinedAnswer.self, from: Data($0.utf8)) }
        #expect(answers.map(\.id) == (0..<requests.count).map { "p\($0)" })
        return answers
    }

    static func digest(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    /// Pipelined requests get their answers in order, whichever carrier takes each.
    @Test func pipelinedAnswersLeaveInOrder() async throws {
        let app = try TestApp()
        let root = app.configuration.staticDirectory
        try await Self.populate(root)
        try Data("first seen in the pipeline".utf8).write(to: URL(fileURLWithPath: root + "/fresh.txt"))
        try await app.live { client in
            let port = client.port!
            for path in ["/small.txt", "/small.txt", "/large.bin", "/large.bin"] { _ = try await Curl.request(port: port, path, []) }
            let before = try await Self.fastAnswers(port: port)
            let requests = [
                "GET:/small.txt", "GET:/fresh.txt", "GET:/small.txt", "GET:/healthz", "HEAD:/small.txt", "GET:/large.bin", "GET:/small.txt",
            ]
            let answers = try await Self.pipelined(port: port, requests)
            #expect(answers.map(\.status) == [200, 200, 200, 200, 200, 200, 200])
            func digest(_ name: String) throws -> String { try Self.digest(root + "/" + name) }
            #expect(answers[0].sha256 == (try digest("small.txt")))
            #expect(answers[1].sha256 == (try digest("fresh.txt")))
            #expect(answers[5].sha256 == (try digest("large.bin")))
            #expect(answers[6].sha256 == (try digest("small.txt")))
            // The first is taken on the event loop; the rest wait behind the cache miss.
            #expect(try await Self.fastAnswers(port: port) - before >= 1)
        }
    }

    /// A file region not in the page cache goes the normal way (read on the thread pool), so that
    /// sendfile never waits for the disk on the event loop; a cached one goes by sendfile.
    @Test func coldFileRegionsAreReadOnTheThreadPool() async throws {
        let app = try TestApp()
        let root = app.configuration.staticDirectory
        try await Fixtures.randomFile(at: root + "/video.bin", size: 3 << 20)
        try await app.live { client in
            let port = client.port!
            _ = try await Curl.request(port: port, "/video.bin", ["-I"])
            let before = try await Self.fastAnswers(port: port)
            let whole = try await Curl.request(port: port, "/video.bin", [])
            #expect(whole.status == 200 && whole.body.count == 3 << 20)
            let range = try await Curl.request(port: port, "/video.bin", ["-r", "0-65535"])
            #expect(range.status == 206 && range.body == whole.body.prefix(65536))
            #expect(try await Self.fastAnswers(port: port) == before + 2, "cached: the fast path")
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: root + "/video.bin"))
            // Written back first: the kernel drops only clean pages.
            #expect(fsync(handle.fileDescriptor) == 0)
            #expect(posix_fadvise(handle.fileDescriptor, 0, 0, POSIX_FADV_DONTNEED) == 0)
            try handle.close()
            let cold = try await Curl.request(port: port, "/video.bin", ["-r", "1048576-1114111"])
            #expect(cold.status == 206 && cold.body == whole.body[1_048_576..<1_114_112])
            let coldWhole = try await Curl.request(port: port, "/video.bin", [])
            #expect(coldWhole.body == whole.body)
            #expect(try await Self.fastAnswers(port: port) == before + 2, "not in the page cache: the normal path")
        }
    }

    /// A file rewritten in place is served new within the second the caches trust what they
    /// found (small files, from memory) or at once (large ones, by sendfile, also to a range
    /// request planned before), and never mixed: each answer is one version whole, with that
    /// version's validator.
    @Test func aFileChangedOnDiskIsServedNewAndNeverMixed() async throws {
        let app = try TestApp()
        let root = app.configuration.staticDirectory
        try await Self.populate(root)
        try await app.live { client in
            let port = client.port!
            for (name, size) in [("small.txt", 2064), ("large.bin", 1 << 20)] {
                let before = try await Curl.request(port: port, "/" + name, [])
                let again = try await Curl.request(port: port, "/" + name, [])
                #expect(again.body == before.body && again.headers["etag"] == before.headers["etag"])
                let range = try await Curl.request(port: port, "/" + name, ["-r", "0-99"])
                #expect(range.status == 206 && range.body == before.body.prefix(100))
                let replacement = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 * 31 + 7) })
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: root + "/" + name))
                try handle.write(contentsOf: replacement)
                try handle.close()
                let changed = ContinuousClock.now
                if name == "large.bin" {
                    // Its plan and open file are kept for a second, but each answer checks the
                    // file is still the planned one.
                    let newRange = try await Curl.request(port: port, "/" + name, ["-r", "0-99"])
                    #expect(newRange.status == 206 && newRange.body == replacement.prefix(100))
                    #expect(newRange.headers["etag"] != before.headers["etag"])
                }
                var served: Curl.Reply
                repeat {
                    served = try await Curl.request(port: port, "/" + name, [])
                    let isOld = served.body == before.body && served.headers["etag"] == before.headers["etag"]
                    let isNew = served.body == replacement && served.headers["etag"] != before.headers["etag"]
                    #expect(isOld || isNew, "\(name): one version whole")
                } while served.body != replacement && ContinuousClock.now - changed < .seconds(5)
                #expect(served.body == replacement, "\(name) is served new")
                let conditional = try await Curl.request(port: port, "/" + name, ["-H", "If-None-Match: \(before.headers["etag"] ?? "")"])
                #expect(conditional.status == 200 && conditional.body == replacement)
            }
        }
    }

    /// A file larger than a region chunk goes out a region per turn of the event loop; requests
    /// pipelined behind it wait until its end is written, then are answered in order, by either
    /// carrier.
    @Test func pipelinedAnswersWaitForAFileSentInRegions() async throws {
        let app = try TestApp()
        let root = app.configuration.staticDirectory
        try await Self.populate(root)
        try await Fixtures.randomFile(at: root + "/huge.bin", size: 6 << 20 + 12345, seed: 11)
        try await app.live { client in
            let port = client.port!
            for path in ["/small.txt", "/huge.bin"] { _ = try await Curl.request(port: port, path, []) }
            let before = try await Self.fastAnswers(port: port)
            let requests = ["GET:/huge.bin", "GET:/small.txt", "GET:/healthz", "GET:/huge.bin", "GET:/small.txt"]
            let answers = try await Self.pipelined(port: port, requests)
            #expect(answers.map(\.status) == [200, 200, 200, 200, 200])
            func digest(_ name: String) throws -> String { try Self.digest(root + "/" + name) }
            #expect(answers[0].sha256 == (try digest("huge.bin")) && answers[3].sha256 == answers[0].sha256)
            #expect(answers[1].sha256 == (try digest("small.txt")) && answers[4].sha256 == answers[1].sha256)
            #expect(try await Self.fastAnswers(port: port) - before >= 2, "the file went by the fast path")
        }
    }

    /// The descriptors of this process open on `path` (removed or not).
    static func descriptors(openOn path: String) throws -> Int {
        try openDescriptorTargets().filter { $0 == path || $0 == path + " (deleted)" }.count
    }

    /// A large file is held open while its plan is trusted (no open per answer), and closed within
    /// a couple of seconds of its removal though no request comes after it: its space is given back.
    @Test func aRemovedFileIsClosedWithoutAnotherRequest() async throws {
        let app = try TestApp()
        let path = app.configuration.staticDirectory + "/held.bin"
        try await Fixtures.randomFile(at: path, size: 1 << 20)
        try await app.live { client in
            let port = client.port!
            let before = try await Self.fastAnswers(port: port)
            for _ in 0..<3 {
                #expect(try await Curl.request(port: port, "/held.bin", ["-r", "0-99"]).status == 206)
            }
            #expect(try await Self.fastAnswers(port: port) > before, "ranges of the file went by the fast path")
            #expect(try Self.descriptors(openOn: path) == 1)
            #expect(unlink(path) == 0)
            let removed = ContinuousClock.now
            while try Self.descriptors(openOn: path) > 0 && ContinuousClock.now - removed < .seconds(5) {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try Self.descriptors(openOn: path) == 0)
            #expect(ContinuousClock.now - removed < .seconds(3))
            #expect(try await Curl.request(port: port, "/held.bin", ["-r", "0-99"]).status == 404)
        }
    }

    /// sendfile sends nothing once the file is shorter than promised: the connection is closed
    /// (curl sees a short body) instead of the write being retried for ever.
    @Test func aFileCutShortUnderSendfileEndsTheAnswer() async throws {
        let app = try TestApp()
        let root = app.configuration.staticDirectory
        try await Fixtures.randomFile(at: root + "/video.bin", size: 64 << 20)
        try await app.live { client in
            let port = client.port!
            _ = try await Curl.request(port: port, "/video.bin", ["-I"])
            let before = try await Self.fastAnswers(port: port)
            let directory = try TemporaryDirectory()
            let download = try Command.start(
                "curl",
                ["-sS", "--limit-rate", "4M", "-o", directory.path + "/video.bin", "--max-time", "60", "http://127.0.0.1:\(port)/video.bin"]
            )
            try await Task.sleep(for: .seconds(1))
            #expect(truncate(root + "/video.bin", 1 << 20) == 0)
            let start = ContinuousClock.now
            let finished = try await Command.wait(download, timeout: .seconds(60))
            #expect(finished.status == 18, "curl reports a short body: \(finished.text)")
            #expect(ContinuousClock.now - start < .seconds(30))
            #expect(try await Self.fastAnswers(port: port) - before == 1)
            #expect(try await Curl.request(port: port, "/healthz", []).status == 200)
        }
    }
}
