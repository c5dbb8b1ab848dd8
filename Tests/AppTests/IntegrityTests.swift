import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Routing
import Storage
import TestSupport
import Testing

/// What scrubs find, over the API: kept on the records, never served as if it were fine, and
/// repaired by uploading the same bytes again.
@Suite struct IntegrityTests {
    static func upload(_ client: some TestClientProtocol, _ text: String) async throws -> FileRecordBody {
        let response = try await client.request(.put, "/api/files?name=notes.txt", body: text)
        #expect(response.status == .created)
        return try response.decoded(FileRecordBody.self)
    }

    /// Flips a byte of the blob of `sha256` on disk, as a failing disk would.
    static func flipByte(of sha256: String, in app: TestApp) throws {
        let path = app.directory.path + "/storage/blobs/\(sha256.prefix(2))/\(sha256.dropFirst(2).prefix(2))/\(sha256)"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[0] ^= 0x20
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    /// The server's own periodic scrub finds the flipped byte: the record says so, downloads and
    /// share links answer 500 with the reason, metrics count it; an upload of the good bytes repairs it.
    @Test func thePeriodicScrubMarksACorruptFileWhichIsRefusedUntilUploadedAgain() async throws {
        let app = try TestApp { $0.scrubInterval = DurationText(.milliseconds(300)) }
        try await app.router { client in
            let record = try await Self.upload(client, "the original bytes")
            #expect(record.integrity == "unverified" && record.verifiedAt == nil)
            let link = try await client.request(.post, "/api/files/\(record.id)/links", body: "{}", headers: [.contentType: "application/json"])
            let token = try link.decoded(ShareLinkBody.self).token
            try await waitUntil("a scrub has read it") {
                try await client.request(.get, "/api/files/\(record.id)").decoded(FileRecordBody.self).integrity == "ok"
            }
            try Self.flipByte(of: record.sha256, in: app)
            try await waitUntil("a scrub finds it corrupt") {
                try await client.request(.get, "/api/files/\(record.id)").decoded(FileRecordBody.self).integrity == "corrupt"
            }
            let found = try await client.request(.get, "/api/files/\(record.id)").decoded(FileRecordBody.self)
            #expect(found.verifiedAt != nil)
            for url in ["/api/files/\(record.id)/download", "/s/\(token)"] {
                let refused = try await client.request(.get, url)
                #expect(refused.status == .internalServerError, "\(url)")
                let detail = try refused.decoded(ErrorBody.self).detail
                #expect("\(detail)".contains("no longer match its SHA-256"), "\(url)")
            }
            let metrics = String(buffer: try await client.request(.get, "/metrics").body)
            #expect(metrics.contains("wharf_scrub_contents{finding=\"corrupt\"} 1"))
            #expect(metrics.contains("wharf_scrub_contents{finding=\"checked\"} 1"))

            _ = try await Self.upload(client, "the original bytes")
            let repaired = try await client.request(.get, "/api/files/\(record.id)/download")
            #expect(repaired.status == .ok && String(buffer: repaired.body) == "the original bytes")
            #expect(try await client.request(.get, "/api/files/\(record.id)").decoded(FileRecordBody.self).integrity != "corrupt")
        }
    }

    /// With `--serve-corrupt` the bytes still go out, marked and uncached; a missing blob never does.
    @Test func serveCorruptSendsTheBytesMarkedButAMissingBlobIsRefused() async throws {
        let app = try TestApp { $0.serveCorrupt = true }
        try await app.router { client in
            let corrupt = try await Self.upload(client, "bytes that rot")
            let missing = try await Self.upload(client, "bytes that vanish")
            try Self.flipByte(of: corrupt.sha256, in: app)
            let blob = missing.sha256
            try FileManager.default.removeItem(atPath: app.directory.path + "/storage/blobs/\(blob.prefix(2))/\(blob.dropFirst(2).prefix(2))/\(blob)")
            let report = try await app.files().scrub(orphanGrace: 3600)
            #expect(report.corrupt.map(\.hex) == [corrupt.sha256] && report.missing.map(\.hex) == [missing.sha256])

            let served = try await client.request(.get, "/api/files/\(corrupt.id)/download")
            #expect(served.status == .ok)
            #expect(served.headers[HTTPField.Name("Wharf-Integrity")!]?.hasPrefix("corrupt; verified-at=") == true)
            #expect(served.headers[.cacheControl] == "no-store")
            let refused = try await client.request(.get, "/api/files/\(missing.id)/download")
            #expect(refused.status == .internalServerError)
            #expect("\(try refused.decoded(ErrorBody.self).detail)".contains("are missing"))
            let listed = try await client.request(.get, "/api/files").decoded(FilePageBody.self).items
            #expect(Set(listed.map(\.integrity)) == ["corrupt", "missing"])
        }
    }
}
