import Foundation
import NIOCore
import TestSupport
import Testing

@testable import Storage

/// The scrub: stored contents read again against their SHA-256, and unreferenced blobs removed
/// once they are older than the grace period.
@Suite struct ScrubTests {
    static func store(_ text: String, in files: FilesService) async throws -> FileRecord {
        let staging = try await files.stage()
        try await staging.write(ByteBuffer(string: text))
        let file = NewFile(
            staged: try await staging.finish(),
            metadata: FileMetadata(name: "f.txt"),
            contentType: "text/plain",
            declaredContentType: nil
        )
        return try await files.create([file], as: .local)[0]
    }

    @Test func aFlippedByteAndAMissingBlobAreFoundAndOnlyOldOrphansGo() async throws {
        let directory = try TemporaryDirectory()
        let files = try await LocalStorage.open(root: directory.path, durable: false).files
        let blobs = try LocalBlobStore(root: directory.path, durable: false)
        let intact = try await Self.store("intact content", in: files)
        let flipped = try await Self.store("content that rots", in: files)
        let lost = try await Self.store("content that vanishes", in: files)
        #expect(try await files.scrub(orphanGrace: 3600) == ScrubReport(checked: 3))

        let rotting = blobs.path(of: flipped.digest)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: rotting))
        bytes[3] ^= 0x01
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: rotting)
        try bytes.write(to: URL(fileURLWithPath: rotting))
        try FileManager.default.removeItem(atPath: blobs.path(of: lost.digest))

        // Two blobs no record references: one left by a crash an hour ago, one an upload is
        // recording right now.
        var orphans: [BlobDigest] = []
        for text in ["old orphan", "fresh orphan"] {
            let staging = try await blobs.stage()
            try await staging.write(ByteBuffer(string: text))
            let staged = try await staging.finish()
            _ = try await blobs.store(staged)
            orphans.append(staged.digest)
        }
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: blobs.path(of: orphans[0]))

        let report = try await files.scrub(orphanGrace: 3600)
        #expect(report == ScrubReport(checked: 3, corrupt: [flipped.digest], missing: [lost.digest], orphansRemoved: 1))
        #expect(!report.isClean)
        #expect(!blobs.contains(orphans[0]) && blobs.contains(orphans[1]) && blobs.contains(intact.digest))

        // What the scrub found is kept on the records; bad content is refused, not served as if it were fine.
        #expect(try await files.file(intact.id, as: .local).integrity?.check == .intact)
        #expect(try await files.file(flipped.id, as: .local).integrity?.check == .corrupt)
        #expect(try await files.list(FileListQuery(limit: 10), as: .local).items.first { $0.id == lost.id }?.integrity?.check == .missing)
        let refused = await #expect(throws: StorageError.self) { try await files.openContent(of: flipped.id, as: .local) }
        #expect(refused?.code == .corrupt && refused?.message.hasPrefix("The stored bytes of this file are corrupt") == true)
        let gone = await #expect(throws: StorageError.self) { try await files.openContent(of: lost.id, as: .local) }
        #expect(gone?.message.hasPrefix("The stored bytes of this file are missing") == true)
        _ = try await files.openContent(of: intact.id, as: .local)
        _ = try await files.openContent(of: flipped.id, as: .local, servingCorrupt: true)

        // Uploading the same bytes again puts good ones in place of the bad, for every record of them.
        _ = try await Self.store("content that rots", in: files)
        _ = try await Self.store("content that vanishes", in: files)
        for record in [flipped, lost] {
            #expect(try await files.file(record.id, as: .local).integrity == nil)
            let (_, reader) = try await files.openContent(of: record.id, as: .local)
            #expect(
                try await reader.read(offset: 0, length: 100) == ByteBuffer(string: record == flipped ? "content that rots" : "content that vanishes")
            )
            try await reader.close()
        }
        #expect(try await files.scrub(orphanGrace: 3600) == ScrubReport(checked: 3))
    }
}
