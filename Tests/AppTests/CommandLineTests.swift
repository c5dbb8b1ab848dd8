import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// The `wharf` binary as a user runs it: flags, environment and signals.
@Suite(.serialized) struct CommandLineTests {
    static var binary: String {
        Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("wharf").path
    }

    @Test func helpDocumentsEveryFlagAndItsEnvironmentVariable() async throws {
        let help = try await Command.run(Self.binary, ["serve", "--help"])
        #expect(help.status == 0)
        for flag in ["--host", "--port", "--static", "--storage", "--max-upload-size", "--fsync", "--no-fsync", "--log-level", "--shutdown-grace"] {
            #expect(help.text.contains(flag), "\(flag) is documented")
        }
        for variable in ["WHARF_HOST", "WHARF_PORT", "WHARF_STATIC", "WHARF_STORAGE", "WHARF_MAX_UPLOAD_SIZE", "WHARF_FSYNC", "WHARF_LOG_LEVEL"] {
            #expect(help.text.contains(variable), "\(variable) is documented")
        }
    }

    @Test func malformedFlagsAndVariablesAreRefusedClearly() async throws {
        let size = try await Command.run(Self.binary, ["serve", "--max-upload-size", "lots"])
        #expect(size.status != 0 && size.stderr.contains("not a size"))
        let variable = try await Command.run(Self.binary, ["serve"], environment: ["WHARF_PORT": "eighty"])
        #expect(variable.status != 0 && variable.stderr.contains("WHARF_PORT"))
    }

    /// Start-up errors name the problem and the fix, and nothing claims to be serving first.
    @Test func aPortInUseIsNamedWithItsFixAndNotPrecededByServing() async throws {
        let directory = try TemporaryDirectory()
        let (first, port) = try await Self.startServer(directory, ["--log-level", "info"])
        let second = try await Command.run(
            Self.binary,
            ["serve", "--port", String(port), "--static", directory.path, "--storage", directory.path + "/other"]
        )
        #expect(second.status != 0)
        #expect(second.stderr.contains("Port \(port) on 127.0.0.1 is already in use by another program: stop it, or pass --port N (WHARF_PORT)."))
        #expect(!second.text.contains("Serving"))
        first.signal(SIGTERM)
        let exit = try await Command.wait(first)
        #expect(exit.text.contains("Serving"))
    }

    @Test func aStorageRootThatCannotBeCreatedIsNamedWithItsFix() async throws {
        let directory = try TemporaryDirectory()
        try Data("a file, not a directory".utf8).write(to: URL(fileURLWithPath: directory.path + "/occupied"))
        let serve = try await Command.run(Self.binary, ["serve", "--port", "0", "--storage", directory.path + "/occupied/storage"])
        #expect(serve.status != 0)
        #expect(serve.stderr.contains("The storage root '\(directory.path)/occupied/storage' cannot be used"))
        #expect(serve.stderr.contains("pass --storage DIR (WHARF_STORAGE)"))
        #expect(!serve.stderr.contains("notFound"))

        let list = try await Command.run(Self.binary, ["files", "list", "--storage", directory.path + "/empty"])
        #expect(list.status != 0)
        #expect(list.stderr.contains("No Wharf storage at '\(directory.path)/empty'"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/empty"), "listing creates no storage")
    }

    @Test func serveStopsGracefullyOnSIGTERMLettingAnUploadFinish() async throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/upload"
        try Fixtures.randomFile(at: source, size: 4 << 20)
        let (server, port) = try await Self.startServer(directory, ["--log-level", "warning"])
        // A slow upload is in flight when the signal arrives; it still completes.
        async let upload = Curl.request(port: port, "/api/files?name=slow", ["-X", "POST", "--limit-rate", "4M", "-T", source])
        try await Task.sleep(for: .milliseconds(300))
        server.signal(SIGTERM)
        let reply = try await upload
        #expect(reply.status == 201)
        let exit = try await Command.wait(server)
        #expect(exit.status == 0)
        let listing = try await Command.run(Self.binary, ["files", "list", "--storage", directory.path + "/storage"])
        #expect(listing.text.contains("\tslow"))
    }

    @Test func eachRequestWritesOneAccessLogLineAtInfoLevel() async throws {
        let directory = try TemporaryDirectory()
        let (server, port) = try await Self.startServer(directory, ["--log-level", "info"])
        let traced = try await Curl.request(port: port, "/api/files/AAAAAAAAAAAAAAAAAAAAAA", ["-H", "X-Request-ID: trace-42"])
        #expect(traced.status == 404)
        server.signal(SIGTERM)
        let exit = try await Command.wait(server)
        #expect(exit.status == 0)
        let lines = exit.text.split(separator: "\n").filter { $0.contains("request_id=trace-42") }
        #expect(lines.count == 1)
        let line = String(lines.first ?? "")
        for field in ["info wharf:", "log=access", "method=GET", "path=/api/files/AAAAAAAAAAAAAAAAAAAAAA", "status=404", "outcome=complete"] {
            #expect(line.contains(field), "\(field) in \(line)")
        }
    }

    /// The binary runs Swift tasks on NIO's event loops: uploads, static files, ranges and gzip,
    /// many at once, all answer there as they do in the in-process tests.
    @Test func theBinaryServesUploadsStaticFilesRangesAndGzipConcurrently() async throws {
        let directory = try TemporaryDirectory()
        let site = directory.path + "/site"
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        try Fixtures.randomFile(at: site + "/big.bin", size: 3 << 20)
        let script = String(repeating: "export const answer = 42;\n", count: 200)
        try Data(script.utf8).write(to: URL(fileURLWithPath: site + "/app.js"))
        let source = directory.path + "/upload.bin"
        try Fixtures.randomFile(at: source, size: 2 << 20, seed: 7)
        let (server, port) = try await Self.startServer(directory, ["--static", site, "--log-level", "warning"])

        let expected = try Data(contentsOf: URL(fileURLWithPath: site + "/big.bin"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let start = index * 150_000
                    let range = try await Curl.request(port: port, "/big.bin", ["-H", "Range: bytes=\(start)-\(start + 99_999)"])
                    #expect(range.status == 206)
                    #expect(range.body == expected[start..<(start + 100_000)])
                }
                group.addTask {
                    let gzipped = try await Curl.request(port: port, "/app.js", ["--compressed"])
                    #expect(gzipped.headers["content-encoding"] == "gzip")
                    #expect(gzipped.body == Data(script.utf8))
                }
            }
            try await group.waitForAll()
        }
        let upload = try await Curl.request(port: port, "/api/files", ["-F", "file=@\(source);filename=upload.bin"])
        #expect(upload.status == 201)
        let record = try #require((upload.json["files"] as? [[String: Any]])?.first)
        let id = try #require(record["id"] as? String)
        let downloaded = directory.path + "/downloaded.bin"
        let download = try await Curl.request(port: port, "/api/files/\(id)/download", [], saveTo: downloaded)
        #expect(download.status == 200)
        #expect(try await Fixtures.sha256(ofFile: downloaded) == Fixtures.sha256(ofFile: source))
        server.signal(SIGTERM)
        #expect(try await Command.wait(server).status == 0)
    }

    /// Starts `wharf serve` on a free-looking port with its storage in `directory`; waits until
    /// `/healthz` answers.
    static func startServer(_ directory: TemporaryDirectory, _ arguments: [String]) async throws -> (RunningProcess, Int) {
        let port = Int.random(in: 20_000..<40_000)
        let server = try Command.start(
            Self.binary,
            ["serve", "--port", String(port), "--static", directory.path] + arguments,
            environment: ["WHARF_STORAGE": directory.path + "/storage"]
        )
        var ready = false
        for _ in 0..<100 where !ready {
            try await Task.sleep(for: .milliseconds(100))
            ready = (try? await Curl.request(port: port, "/healthz", []))?.status == 200
        }
        #expect(ready)
        return (server, port)
    }
}
