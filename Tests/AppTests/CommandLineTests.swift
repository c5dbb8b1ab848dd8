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

    @Test func serveStopsGracefullyOnSIGTERMLettingAnUploadFinish() async throws {
        let directory = try TemporaryDirectory()
        let port = Int.random(in: 20_000..<40_000)
        let source = directory.path + "/upload"
        try Fixtures.randomFile(at: source, size: 4 << 20)
        let server = try Command.start(
            Self.binary,
            ["serve", "--port", String(port), "--static", directory.path],
            environment: ["WHARF_STORAGE": directory.path + "/storage", "WHARF_LOG_LEVEL": "warning"]
        )
        var ready = false
        for _ in 0..<100 where !ready {
            try await Task.sleep(for: .milliseconds(100))
            ready = (try? await Curl.request(port: port, "/healthz", []))?.status == 200
        }
        #expect(ready)
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
        let port = Int.random(in: 20_000..<40_000)
        let server = try Command.start(
            Self.binary,
            ["serve", "--port", String(port), "--static", directory.path, "--log-level", "info"],
            environment: ["WHARF_STORAGE": directory.path + "/storage"]
        )
        var ready = false
        for _ in 0..<100 where !ready {
            try await Task.sleep(for: .milliseconds(100))
            ready = (try? await Curl.request(port: port, "/healthz", []))?.status == 200
        }
        #expect(ready)
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
}
