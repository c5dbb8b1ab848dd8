import Foundation
import NIOCore
import Synchronization
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

    /// What a scrub finds about a content is recorded under that content's lock: good bytes an
    /// upload puts in place of corrupt ones while the scrub reads them are not marked corrupt after.
    @Test func goodBytesPutInPlaceDuringTheScrubsReadAreNotMarkedCorrupt() async throws {
        let directory = try TemporaryDirectory()
        let base = try LocalBlobStore(root: directory.path, durable: false)
        let blobs = CheckHeldBack(base: base)
        let files = FilesService(blobs: blobs, catalog: try SQLiteCatalog(path: directory.path + "/wharf.sqlite", durable: false))
        let record = try await Self.store("content that rots", in: files)
        let path = base.path(of: record.digest)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try Data("content that rotz".utf8).write(to: URL(fileURLWithPath: path))

        async let scrub = files.scrub(orphanGrace: 3600)
        try await waitUntil("the scrub read the corrupt bytes") { blobs.hasChecked }
        let upload = Task { try await Self.store("content that rots", in: files) }
        // Time enough for the upload to finish, which it may do only once the finding is recorded.
        try? await Task.sleep(for: .milliseconds(300))
        blobs.letCheckEnd()
        _ = try await upload.value
        #expect(try await scrub.corrupt == [record.digest], "the scrub reports what it read")
        #expect(try await files.file(record.id, as: .local).integrity == nil, "the good bytes are not marked corrupt")
        let (_, reader) = try await files.openContent(of: record.id, as: .local)
        #expect(try await reader.read(offset: 0, length: 100) == ByteBuffer(string: "content that rots"))
        try await reader.close()
    }
}

/// A blob store whose checks, once they have read a blob, wait until the test lets them end.
final class CheckHeldBack: ForwardingBlobStore {
    let base: LocalBlobStore
    private let state = Mutex((checked: false, released: false))

    init(base: LocalBlobStore) {
        self.base = base
    }

    var forwarded: any BlobStore { self.base }
    var hasChecked: Bool { self.state.withLock { $0.checked } }

    func letCheckEnd() {
        self.state.withLock { $0.released = true }
    }

    func check(_ digest: BlobDigest) async throws -> BlobCheck {
        let check = try await self.base.check(digest)
        self.state.withLock { $0.checked = true }
        while !self.state.withLock({ $0.released }) { try await Task.sleep(for: .milliseconds(5)) }
        return check
    }
}
