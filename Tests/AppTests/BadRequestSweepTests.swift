import App
import Crypto
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// Requests made of random bad parts, over a real socket (`Tests/Clients/bad_requests.py`): broken
/// ranges and preconditions, tus fields out of order, bodies that end early or lie about their
/// coding, WebSocket fields on plain routes, on every kind of route. Each one is answered, whole,
/// and with no 5xx but the 501 RFC 9112 asks for a transfer coding other than chunked; every API
/// error carries its JSON `detail`. Afterwards the server still answers, no staged upload is left
/// behind, and every file it recorded holds the bytes its SHA-256 names.
@Suite struct BadRequestSweepTests {
    struct Sweep: Decodable {
        struct Violation: Decodable, CustomStringConvertible {
            let request: String
            let problem: String
            let answer: String?

            var description: String { "\(self.problem): \(self.request.debugDescription) → \((self.answer ?? "").debugDescription)" }
        }

        let sent: Int
        let statuses: [String: Int]
        let violations: [Violation]
        let violation_count: Int
    }

    @Test func randomBadRequestsAreEachAnsweredAndLeaveNothingHalfWritten() async throws {
        let app = try TestApp()
        try Data(String(repeating: "static text\n", count: 80).utf8).write(to: URL(fileURLWithPath: app.configuration.staticDirectory + "/small.txt"))
        let token = try await app.token(for: "admin")
        try await app.live { client in
            let port = client.port!
            let output = try await PythonClients.run("bad_requests.py", [String(port), token, "1", "1500"], timeout: .seconds(600))
            #expect(output.status == 0, "\(output.text)")
            let sweep = try JSONDecoder().decode(Sweep.self, from: Data(output.text.utf8))
            #expect(sweep.violation_count == 0, "\(sweep.violations)")
            // The sweep got past the parser and the sign-in to the routes' own refusals.
            for status in ["200", "400", "401", "404", "405", "412", "422", "501"] {
                #expect(sweep.statuses[status, default: 0] > 0, "no \(status) in \(sweep.statuses)")
            }
            #expect(sweep.statuses.values.reduce(0, +) == sweep.sent)

            #expect(try await Curl.request(port: port, "/healthz", []).status == 200)
            let listing = try await Curl.request(port: port, "/api/files?limit=1000", [])
            let page = try JSONDecoder().decode(FilePageBody.self, from: listing.body)
            #expect(!page.items.isEmpty)
            for record in page.items {
                let download = try await Curl.request(port: port, "/api/files/\(record.id)/download", [])
                #expect(download.status == 200)
                #expect(SHA256.hash(data: download.body).map { String(format: "%02x", $0) }.joined() == record.sha256, "\(record.name)")
            }
        }
        // Every upload the sweep cut short or refused was removed with its request.
        let staged = try FileManager.default.contentsOfDirectory(atPath: app.configuration.storageDirectory + "/tmp")
        #expect(staged.isEmpty, "\(staged)")
    }
}
