import Foundation
import NIOConcurrencyHelpers
import NIOCore
import TestSupport
import Testing

@testable import Storage

func stage(_ bytes: [UInt8], in store: any BlobStore, pieceSize: Int = 1000) async throws -> StagedBlob {
    let staging = try await store.stage()
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + pieceSize)
        try await staging.write(ByteBuffer(bytes: bytes[offset..<end]))
        offset = end
    }
    return try await staging.finish()
}

@Suite struct BlobStoreTests {
    let directory: TemporaryDirectory
    let store: LocalBlobStore

    init() throws {
        self.directory = try TemporaryDirectory()
        self.store = try LocalBlobStore(root: self.directory.path, durable: true)
    }

    @Test func stagedBytesAreHashedAndStoredUnderTheirDigest() async throws {
        // 3.5 MiB in odd pieces crosses the 1 MiB write coalescing several times.
        let bytes = (0..<(3 << 20) + 512 * 1024).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        let staged = try await stage(bytes, in: self.store, pieceSize: 54_321)
        let path = self.directory.path + "/bytes"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(staged.digest.hex == (try await Fixtures.sha256(ofFile: path)))
        #expect(staged.size == Int64(bytes.count))

        #expect(try await self.store.store(staged) == true)
        #expect(self.store.contains(staged.digest))
        #expect(try self.store.stagedNames().isEmpty)

        let reader = try await self.store.open(staged.digest)
        #expect(reader.size == Int64(bytes.count))
        let middle = try await reader.read(offset: 1_000_000, length: 10)
        #expect(Array(middle.readableBytesView) == Array(bytes[1_000_000..<1_000_010]))
        let tail = try await reader.read(offset: Int64(bytes.count - 5), length: 100)
        #expect(tail.readableBytes == 5)
        try await reader.close()
    }

    @Test func largePiecesWrittenAsTheyCameKeepTheirOrderAmongGatheredOnes() async throws {
        // Pieces of half a write or more go out without being gathered; small ones are gathered
        // between them: the file must hold every byte in the order given.
        let sizes = [700_000, 1_000, 900_000, 600_000, 3, 1 << 20, 524_288, 10, 2 << 20, 77]
        let bytes = (0..<sizes.reduce(0, +)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 13) }
        let staging = try await self.store.stage()
        var offset = 0
        for size in sizes {
            try await staging.write(ByteBuffer(bytes: bytes[offset..<offset + size]))
            offset += size
        }
        let staged = try await staging.finish()
        #expect(staged.size == Int64(bytes.count))
        #expect(try Data(contentsOf: URL(fileURLWithPath: staged.location)) == Data(bytes))
        let path = self.directory.path + "/bytes"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(staged.digest.hex == (try await Fixtures.sha256(ofFile: path)))
    }

    @Test func identicalBytesAreStoredOnce() async throws {
        let first = try await stage(Array("same bytes".utf8), in: self.store)
        let second = try await stage(Array("same bytes".utf8), in: self.store)
        #expect(first.digest == second.digest)
        #expect(try await self.store.store(first) == true)
        #expect(try await self.store.store(second) == false)
        #expect(try self.store.stagedNames().isEmpty)
        #expect(self.directory.files(under: "blobs").count == 1)
    }

    @Test func abortAndSweepLeaveNothingBehind() async throws {
        let staging = try await self.store.stage()
        try await staging.write(ByteBuffer(repeating: 1, count: 3 << 20))
        await staging.abort()
        #expect(try self.store.stagedNames().isEmpty)

        // A crash leaves a staged file; the next start removes it.
        let crashed = try await self.store.stage()
        try await crashed.write(ByteBuffer(repeating: 2, count: 100))
        #expect(try self.store.stagedNames().count == 1)
        #expect(try await self.store.sweepStaging() == 1)
        #expect(try self.store.stagedNames().isEmpty)
        await crashed.abort()
    }

    @Test func emptyBlobsHaveTheEmptyDigest() async throws {
        let staged = try await stage([], in: self.store)
        #expect(staged.digest.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(staged.size == 0)
        _ = try await self.store.store(staged)
        #expect(try await self.store.check(staged.digest) == .intact)
    }

    /// A check reads a blob in several jobs: a byte changed in the last one is found as surely as
    /// one in the first, and a blob that is gone is missing.
    @Test func aCheckOverSeveralJobsFindsAChangeAnywhere() async throws {
        let size = Int(LocalBlobStore.checkedPerJob) * 2 + 12345
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let staged = try await stage(bytes, in: self.store, pieceSize: 1 << 20)
        _ = try await self.store.store(staged)
        #expect(try await self.store.check(staged.digest) == .intact)
        let path = self.store.path(of: staged.digest)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        func put(_ byte: UInt8, at offset: Int) throws {
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: [byte])
            try handle.close()
        }
        for offset in [size - 1, 3] {
            try put(bytes[offset] ^ 0x40, at: offset)
            #expect(try await self.store.check(staged.digest) == .corrupt, "changed at \(offset)")
            try put(bytes[offset], at: offset)
            #expect(try await self.store.check(staged.digest) == .intact, "mended at \(offset)")
        }
        try FileManager.default.removeItem(atPath: path)
        #expect(try await self.store.check(staged.digest) == .missing)
    }
}

@Suite struct FilesServiceTests {
    let directory: TemporaryDirectory
    let files: FilesService
    let store: LocalBlobStore
    let committed = CommittedChanges()

    init() throws {
        self.directory = try TemporaryDirectory()
        self.store = try LocalBlobStore(root: self.directory.path, durable: false)
        let catalog = try SQLiteCatalog(path: self.directory.path + "/wharf.sqlite", durable: false)
        self.files = FilesService(blobs: self.store, catalog: catalog, afterCommit: self.committed.record)
    }

    func createFile(_ staged: StagedBlob, _ metadata: FileMetadata) async throws -> FileRecord {
        try await self.files.create([NewFile(staged: staged, metadata: metadata, contentType: "text/plain", declaredContentType: nil)], as: .local)[0]
    }

    @Test func filesWithTheSameBytesShareOneBlobUntilTheLastGoes() async throws {
        let bytes = Array("shared content".utf8)
        let first = try await self.createFile(try await stage(bytes, in: self.store), FileMetadata(name: "a"))
        let second = try await self.createFile(try await stage(bytes, in: self.store), FileMetadata(name: "b"))
        #expect(first.digest == second.digest && first.id != second.id)
        #expect(self.directory.files(under: "blobs").count == 1)

        try await self.files.delete(first.id, as: .local)
        #expect(self.store.contains(first.digest))
        try await self.files.delete(second.id, as: .local)
        #expect(!self.store.contains(first.digest))
        #expect(self.directory.files(under: "blobs").isEmpty)
    }

    @Test func replacingContentReleasesTheOldBlob() async throws {
        let file = try await self.createFile(try await stage(Array("old".utf8), in: self.store), FileMetadata(name: "a"))
        let content = NewContent(staged: try await stage(Array("new".utf8), in: self.store), contentType: "text/plain", declaredContentType: nil)
        let replaced = try await self.files.replaceContent(of: file.id, with: content, as: .local)
        #expect(replaced.digest != file.digest && replaced.size == 3 && replaced.name == "a")
        #expect(!self.store.contains(file.digest) && self.store.contains(replaced.digest))
    }

    /// A replacement that expects the content a precondition was met by fails as a whole when
    /// another replaced it meanwhile: the other's content stays, and the refused one's blob goes.
    @Test func aReplacementExpectingAContentReplacedMeanwhileKeepsNothing() async throws {
        let file = try await self.createFile(try await stage(Array("first".utf8), in: self.store), FileMetadata(name: "a"))
        func content(_ text: String) async throws -> NewContent {
            NewContent(staged: try await stage(Array(text.utf8), in: self.store), contentType: "text/plain", declaredContentType: nil)
        }
        let meanwhile = try await self.files.replaceContent(of: file.id, with: try await content("meanwhile"), as: .local)
        let late = try await content("late")
        await #expect(throws: StorageError.self) {
            try await self.files.replaceContent(of: file.id, with: late, as: .local, expecting: file.digest)
        }
        #expect(try await self.files.file(file.id, as: .local).digest == meanwhile.digest)
        #expect(!self.store.contains(late.staged.digest) && self.store.contains(meanwhile.digest))
        let expected = try await self.files.replaceContent(of: file.id, with: try await content("next"), as: .local, expecting: meanwhile.digest)
        #expect(expected.size == 4 && !self.store.contains(meanwhile.digest))
    }

    @Test func concurrentUploadsAndDeletesOfTheSameBytesNeverLoseABlob() async throws {
        let bytes = Array("contended".utf8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let record = try await self.createFile(try await stage(bytes, in: self.store), FileMetadata(name: "f\(index)"))
                    if index % 2 == 0 { try await self.files.delete(record.id, as: .local) }
                }
            }
            try await group.waitForAll()
        }
        let remaining = try await self.files.list(FileListQuery(limit: 100), as: .local).items
        #expect(remaining.count == 20)
        #expect(self.store.contains(remaining[0].digest))
    }

    /// New content an admin gives another user's file counts against that user's quota as it is
    /// at commit, not against the admin's own.
    @Test func anAdminsReplacementCountsAgainstTheOwnersQuota() async throws {
        let catalog = try SQLiteCatalog(path: self.directory.path + "/quota.sqlite", durable: false)
        let files = FilesService(blobs: self.store, catalog: catalog)
        try await catalog.addUser(UserRecord(name: "alice", passwordHash: "-", role: .user, createdAt: 1, quota: 100))
        try await catalog.addUser(UserRecord(name: "root", passwordHash: "-", role: .admin, createdAt: 2, quota: 10))
        let alice = Principal(name: "alice", isAdmin: false, quota: 100, account: .init(createdAt: 1, defaultQuota: nil))
        let root = Principal(name: "root", isAdmin: true, quota: 10, account: .init(createdAt: 2, defaultQuota: nil))
        let staged = try await stage(Array(repeating: 1, count: 60), in: self.store)
        let owned = try await files.create(
            [NewFile(staged: staged, metadata: FileMetadata(name: "a"), contentType: "text/plain", declaredContentType: nil)],
            as: alice
        )[0]
        let content = { (size: Int) in
            NewContent(staged: try await stage(Array(repeating: 2, count: size), in: self.store), contentType: "text/plain", declaredContentType: nil)
        }

        let refused = await #expect(throws: StorageError.self) {
            try await files.replaceContent(of: owned.id, with: try await content(101), as: root)
        }
        #expect(refused?.message == "The upload would pass the storage quota of the file's owner 'alice' of 100 bytes (101 bytes would be used).")
        #expect(try await files.file(owned.id, as: alice) == owned)
        #expect(try await files.roomForContent(of: owned, as: root) == 100)

        let replaced = try await files.replaceContent(of: owned.id, with: try await content(100), as: root)
        #expect(replaced.size == 100 && replaced.owner == "alice")
    }

    /// Ownership lives in the service: a user sees, changes and opens only their own files, and
    /// another's file is not found, exactly as a missing one; an admin reaches every file.
    @Test func aUserReachesOnlyTheirOwnFilesAndAnAdminReachesAll() async throws {
        let alice = Principal(name: "alice", isAdmin: false)
        let bob = Principal(name: "bob", isAdmin: false)
        let admin = Principal(name: "root", isAdmin: true)
        let newFile = { (staged: StagedBlob) in
            NewFile(staged: staged, metadata: FileMetadata(name: "a"), contentType: "text/plain", declaredContentType: nil)
        }
        let owned = try await self.files.create([newFile(try await stage(Array("alice's".utf8), in: self.store))], as: alice)[0]
        #expect(owned.owner == "alice")
        _ = try await self.files.create([newFile(try await stage(Array("bob's".utf8), in: self.store))], as: bob)

        #expect(try await self.files.list(FileListQuery(limit: 10), as: alice).items.map(\.owner) == ["alice"])
        #expect(try await self.files.list(FileListQuery(limit: 10), as: admin).items.count == 2)
        let content = NewContent(
            staged: try await stage(Array("bob wrote this".utf8), in: self.store),
            contentType: "text/plain",
            declaredContentType: nil
        )
        let attempts: [(String, () async throws -> Void)] = [
            ("read", { _ = try await self.files.file(owned.id, as: bob) }),
            ("open", { _ = try await self.files.openContent(of: owned.id, as: bob) }),
            ("rename", { _ = try await self.files.updateMetadata(of: owned.id, MetadataChange(name: "mine"), as: bob) }),
            ("replace", { _ = try await self.files.replaceContent(of: owned.id, with: content, as: bob) }),
            ("delete", { _ = try await self.files.delete(owned.id, as: bob) }),
        ]
        for (what, attempt) in attempts {
            let error = await #expect(throws: StorageError.self, "\(what)") { try await attempt() }
            #expect(error?.message == "No file has the id '\(owned.id)'.", "\(what) answers as for a missing file")
        }
        #expect(try await self.files.file(owned.id, as: alice) == owned, "nothing of alice's file changed")
        #expect(try self.store.stagedNames().isEmpty, "the refused replacement left no staged bytes")
        #expect(!self.store.contains(content.staged.digest), "nor a blob")

        let link = try await self.files.createLink(to: owned.id, lifetime: 60_000_000, maxDownloads: nil, as: alice)
        let linkAttempts: [(String, () async throws -> Void)] = [
            ("share", { _ = try await self.files.createLink(to: owned.id, lifetime: 60_000_000, maxDownloads: nil, as: bob) }),
            ("list links", { _ = try await self.files.links(to: owned.id, as: bob) }),
            ("revoke", { try await self.files.revokeLink(link.token, as: bob) }),
        ]
        for (what, attempt) in linkAttempts {
            await #expect(throws: StorageError.self, "\(what)") { try await attempt() }
        }
        #expect(try await self.files.links(to: owned.id, as: admin) == [link], "bob's attempts changed nothing")
        // Whoever holds the link downloads the file.
        #expect(try await self.files.openShared(link.token).0 == owned)

        let renamed = try await self.files.updateMetadata(of: owned.id, MetadataChange(name: "by admin"), as: admin)
        #expect(renamed.name == "by admin" && renamed.owner == "alice")
        try await self.files.delete(owned.id, as: admin)
        #expect(try await self.files.list(FileListQuery(limit: 10), as: admin).items.map(\.owner) == ["bob"])
    }

    /// The interleaving the digest lock exists for: a delete has found no record left and is about
    /// to remove the blob when an upload of the same bytes arrives. The removal lingers for the
    /// upload's `store`; the lock keeps the upload out until the removal is done, so it stores the
    /// blob again and its record never points at nothing.
    @Test func anUploadDuringTheRemovalOfItsBlobStoresItAgain() async throws {
        let gate = LingeringRemoval(base: self.store)
        let catalog = try SQLiteCatalog(path: self.directory.path + "/wharf.sqlite", durable: false)
        let files = FilesService(blobs: gate, catalog: catalog)
        let bytes = Array("raced".utf8)
        let newFile = { (staged: StagedBlob) in
            NewFile(staged: staged, metadata: FileMetadata(name: "r"), contentType: "text/plain", declaredContentType: nil)
        }
        let first = try await files.create([newFile(try await stage(bytes, in: self.store))], as: .local)[0]
        async let deletion = files.delete(first.id, as: .local)
        try await waitUntil("the removal of the blob has begun") { gate.removalBegan }
        let second = try await files.create([newFile(try await stage(bytes, in: self.store))], as: .local)[0]
        _ = try await deletion
        #expect(gate.storeWaitedForRemoval)
        #expect(second.digest == first.digest)
        #expect(self.store.contains(second.digest), "the new record's blob is there")
    }

    @Test func aFailedRecordLeavesNoNewBlob() async throws {
        let staged = try await stage(Array("orphan".utf8), in: self.store)
        await #expect(throws: StorageError.self) {
            let content = NewContent(staged: staged, contentType: "text/plain", declaredContentType: nil)
            _ = try await self.files.replaceContent(of: FileID.random(), with: content, as: .local)
        }
        #expect(!self.store.contains(staged.digest))
        #expect(try self.store.stagedNames().isEmpty)
        #expect(self.committed.changes.isEmpty)
    }

    @Test func theHookHearsEachCommittedChangeAfterItsCommit() async throws {
        let file = try await self.createFile(try await stage(Array("v1".utf8), in: self.store), FileMetadata(name: "a"))
        // The hook runs after the commit: what it heard is already visible to readers.
        #expect(self.committed.changes == [.created(file)])
        #expect(try await self.files.file(file.id, as: .local) == file)

        let renamed = try await self.files.updateMetadata(of: file.id, MetadataChange(name: "b"), as: .local)
        #expect(self.committed.changes.last == .updated(renamed, before: file))
        let deleted = try await self.files.delete(file.id, as: .local)
        #expect(self.committed.changes.last == .deleted(deleted))
        #expect(self.committed.changes.count == 3)
    }
}

/// A blob store whose removals linger (up to half a second) for a `store` of any blob to begin,
/// so that a store the lock did not hold back would run inside the removal.
final class LingeringRemoval: ForwardingBlobStore {
    let base: LocalBlobStore
    private let state = NIOLockedValueBox((removing: false, removalBegan: false, storedSinceRemovalBegan: false, storeWaited: false))

    init(base: LocalBlobStore) {
        self.base = base
    }

    var removalBegan: Bool { self.state.withLockedValue { $0.removalBegan } }
    /// Whether the store came only after the removal had ended.
    var storeWaitedForRemoval: Bool { self.state.withLockedValue { $0.storeWaited } }

    func remove(_ digest: BlobDigest) async throws {
        self.state.withLockedValue {
            $0.removing = true
            $0.removalBegan = true
        }
        for _ in 0..<100 {
            if self.state.withLockedValue({ $0.storedSinceRemovalBegan }) { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        try await self.base.remove(digest)
        self.state.withLockedValue { $0.removing = false }
    }

    func store(_ staged: StagedBlob) async throws -> Bool {
        self.state.withLockedValue { state in
            if state.removalBegan {
                state.storedSinceRemovalBegan = true
                state.storeWaited = !state.removing
            }
        }
        return try await self.base.store(staged)
    }

    var forwarded: any BlobStore { self.base }
}

/// What a files service's post-commit hook heard, in order.
final class CommittedChanges: Sendable {
    private let box = NIOLockedValueBox<[FileChange]>([])

    var changes: [FileChange] { self.box.withLockedValue { $0 } }

    func record(_ changes: [FileChange]) {
        self.box.withLockedValue { $0 += changes }
    }
}
