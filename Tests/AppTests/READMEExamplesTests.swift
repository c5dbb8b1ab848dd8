import App
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// The README's examples, run as written against a live server (only the port differs).
@Suite struct READMEExamplesTests {
    static var readme: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        }
    }

    /// The shell block between `<!-- examples -->` and `<!-- /examples -->`.
    static func examples() throws -> String {
        let text = try self.readme
        let start = try #require(text.range(of: "<!-- examples -->\n```sh\n"))
        let end = try #require(text.range(of: "```\n<!-- /examples -->", range: start.upperBound..<text.endIndex))
        return String(text[start.upperBound..<end.lowerBound])
    }

    @Test func theExamplesRunAsWritten() async throws {
        let app = try TestApp()
        let work = app.directory.path + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        for (name, size) in [("report.pdf", 300_000), ("photo.jpg", 20_000), ("notes.txt", 500)] {
            try await Fixtures.randomFile(at: work + "/" + name, size: size)
        }
        let script = try Self.examples()
        #expect(script.contains("127.0.0.1:8081") && script.split(separator: "\n").count > 8)
        try await app.live(anonymous: true) { client in
            let run = try await Command.run(
                "bash",
                [
                    "-euo", "pipefail", "-c",
                    "cd '\(work)' && " + script.replacingOccurrences(of: "127.0.0.1:8081", with: "127.0.0.1:\(client.port!)"),
                ],
                environment: ["WHARF_ADMIN_PASSWORD": TestApp.adminPassword]
            )
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.isEmpty)
            // What the block did: the report went (downloaded first, by range and whole under its
            // new name), the form's two files stay.
            #expect(try Data(contentsOf: URL(fileURLWithPath: work + "/first-100-bytes.bin")).count == 100)
            let original = try Data(contentsOf: URL(fileURLWithPath: work + "/report.pdf"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: work + "/q3-report.pdf")) == original)
            #expect(try Data(contentsOf: URL(fileURLWithPath: work + "/shared-copy.pdf")) == original)
            try await Curl.signIn(port: client.port!, password: TestApp.adminPassword)
            let listing = try await Curl.request(port: client.port!, "/api/files?sort=name", [])
            #expect(listing.status == 200)
            let names = try listing.decoded(FilePageBody.self).items.map(\.name)
            #expect(names == ["notes.txt", "photo.jpg"])
        }
    }
}
