import Foundation
import NIOCore
import Storage
import Testing

@testable import App
@testable import Routing

/// The bodies that write their JSON themselves write the bytes Foundation's encoder writes of
/// their `Encodable` form (keys, order, escapes, `null`s and omitted members alike).
@Suite struct APIBodyJSONTests {
    private func expectSameJSON<Body: JSONWritable>(_ body: Body, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let foundation = String(decoding: try JSONCoding.encoder.encode(body), as: UTF8.self)
        #expect(String(buffer: JSONCoding.encode(body)) == foundation, sourceLocation: sourceLocation)
    }

    private func record(name: String, tags: [String], declared: String?, integrity: Integrity?) -> FileRecord {
        FileRecord(
            id: FileID.random(),
            owner: "ünïcode \"owner\"",
            name: name,
            size: 1_234_567_890_123,
            contentType: "text/plain",
            declaredContentType: declared,
            digest: BlobDigest(bytes: Array(repeating: 0xab, count: 32)),
            description: "line one\nline two\t\u{1}",
            tags: tags,
            createdAt: 1_796_595_489_204_433,
            updatedAt: 1_796_595_489_999_999,
            integrity: integrity
        )
    }

    private var thumbnailCases: [ThumbnailsBody?] {
        [
            nil,
            ThumbnailsBody(status: "none", sizes: [:]),
            ThumbnailsBody(status: "ready", sizes: ["256": "/api/files/x/thumbnail?size=256", "1024": "/a", "64": "/b", "2048": "/c"]),
        ]
    }

    @Test func recordsAreWrittenAsTheEncoderWritesThem() throws {
        let integrities: [Integrity?] = [nil, Integrity(.intact, verifiedAt: 1_796_595_000_000_000), Integrity(.corrupt, verifiedAt: 0)]
        for integrity in integrities {
            for thumbnails in self.thumbnailCases {
                for declared in [nil, "image/png"] {
                    let record = self.record(name: "report \"final\"/v2.pdf", tags: ["a", "b c", "ü"], declared: declared, integrity: integrity)
                    try self.expectSameJSON(FileRecordBody(record, thumbnails: thumbnails))
                }
            }
        }
        try self.expectSameJSON(FileRecordBody(self.record(name: "n", tags: [], declared: nil, integrity: nil)))
    }

    @Test func pagesAreWrittenAsTheEncoderWritesThem() throws {
        let items = (0..<5).map { index in
            FileRecordBody(
                self.record(name: "file-\(index)", tags: index.isMultiple(of: 2) ? [] : ["t\(index)"], declared: nil, integrity: nil),
                thumbnails: self.thumbnailCases[index % 3]
            )
        }
        for cursor in [nil, "eyJjIjoxfQ"] {
            try self.expectSameJSON(FilePageBody(items: items, nextCursor: cursor))
            try self.expectSameJSON(FilePageBody(items: [], nextCursor: cursor))
        }
    }

    @Test func thumbnailsAreWrittenAsTheEncoderWritesThem() throws {
        for case let thumbnails? in self.thumbnailCases { try self.expectSameJSON(thumbnails) }
    }
}
