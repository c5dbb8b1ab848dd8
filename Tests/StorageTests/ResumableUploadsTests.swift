import Crypto
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing

@testable import Storage

/// A tus piece is answered once its bytes are written; the SHA-256 follows the pieces, from their
/// bytes kept once written or else from the partial file, and the upload's digest comes out whole,
/// whatever became of each piece.
@Suite struct ResumableUploadsTests {
    static let owner = Principal(name: "admin", isAdmin: true)

    static func piece(
        of upload: ResumableUpload,
        at offset: Int64,
        length: Int,
        checksum: ChunkChecksum? = nil,
        in uploads: ResumableUploads
    ) async throws -> ResumableAppend {
        try await uploads.append(
            to: try uploads.upload(upload.id, as: Self.owner),
            at: offset,
            limit: .max,
            declared: Int64(length),
            checksum: checksum
        )
    }

    static func write(_ bytes: some Collection<UInt8>, to piece: ResumableAppend) async throws {
        let bytes = Array(bytes)
        for start in stride(from: 0, to: bytes.count, by: 64 << 10) {
            try await piece.write(ByteBuffer(bytes: bytes[start..<min(bytes.count, start + (64 << 10))]))
        }
    }

    static func append(_ bytes: [UInt8], to upload: ResumableUpload, at offset: Int64, in uploads: ResumableUploads) async throws -> Int64 {
        let piece = try await Self.piece(of: upload, at: offset, length: bytes.count, in: uploads)
        try await Self.write(bytes, to: piece)
        return try await piece.commit()
    }

    /// Holds back the hash that follows `upload`'s pieces until the gate returned is finished.
    static func holdBackHash(of upload: ResumableUpload, in uploads: ResumableUploads) throws -> AsyncStream<Void>.Continuation {
        let following = try #require(
            uploads.hashes.withLock { hashes -> Task<ResumableUploads.HashState, any Error>? in
                guard case .following(let task) = hashes[upload.id] else { return nil }
                return task
            }
        )
        let (gate, opening) = AsyncStream<Void>.makeStream()
        uploads.hashes.withLock {
            $0[upload.id] = .following(
                Task {
                    for await _ in gate {}
                    return try await following.value
                }
            )
        }
        return opening
    }

    /// Whether `work` says yes within 20 s; then `gate` is finished either way, so that what
    /// waits behind it ends rather than hangs.
    static func finishesInTime(_ work: @escaping @Sendable () async -> Bool, gate: AsyncStream<Void>.Continuation) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await work() }
            group.addTask {
                try? await Task.sleep(for: .seconds(20))
                return false
            }
            let first = await group.next()!
            gate.finish()
            group.cancelAll()
            return first
        }
    }

    @Test func theDigestOfPiecesIsWholeAndSurvivesARestart() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false)
        // Pieces that end between pages: the hash of the next one starts inside a page.
        let first = (0..<((6 << 20) + 1001)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let second = (0..<((5 << 20) + 333)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let length = Int64(first.count + second.count)
        let created = try await uploads.create(owner: .local, length: length, metadata: nil, concatenation: nil, lifetime: 3_600_000_000)
        #expect(try await Self.append(first, to: created, at: 0, in: uploads) == first.count)
        #expect(try await Self.append(second, to: created, at: Int64(first.count), in: uploads) == length)
        let expected = BlobDigest(bytes: SHA256.hash(data: first + second))
        let upload = try uploads.upload(created.id, as: Self.owner)
        #expect(try await uploads.staged(upload).blob.digest == expected)
        // Another process on the same directory takes up the state saved beside the partial file.
        let restarted = try ResumableUploads(root: directory.path, durable: false)
        #expect(try await restarted.staged(upload).blob.digest == expected)
    }

    /// After a restart the hash goes on from the state saved beside the partial file, without
    /// reading again the bytes it covers; a state file that is not whole is not taken, and the
    /// hash is derived again from the file.
    @Test func aRestartTakesUpTheSavedStateUnlessItIsNotWhole() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false)
        let bytes = (0..<((3 << 20) + 77)).map { UInt8(truncatingIfNeeded: $0 &* 3 &+ $0 >> 10) }
        let created = try await uploads.create(owner: .local, length: Int64(bytes.count), metadata: nil, concatenation: nil, lifetime: 3_600_000_000)
        #expect(try await Self.append(bytes, to: created, at: 0, in: uploads) == bytes.count)
        let upload = try uploads.upload(created.id, as: Self.owner)
        let original = BlobDigest(bytes: SHA256.hash(data: bytes))
        #expect(try await uploads.staged(upload).blob.digest == original)

        // A byte the saved state covers changes behind the server's back: taken up, the state
        // still gives the digest of the bytes it hashed, which shows they were not read again.
        let folder = directory.path + "/resumable/" + created.id
        var changed = bytes
        changed[10] &+= 1
        try Data(changed).write(to: URL(fileURLWithPath: folder + "/data"))
        let restarted = try ResumableUploads(root: directory.path, durable: false)
        #expect(try await restarted.staged(upload).blob.digest == original)

        var state = try Data(contentsOf: URL(fileURLWithPath: folder + "/sha256.state"))
        state[20] &+= 1
        try state.write(to: URL(fileURLWithPath: folder + "/sha256.state"))
        let again = try ResumableUploads(root: directory.path, durable: false)
        #expect(try await again.staged(upload).blob.digest == BlobDigest(bytes: SHA256.hash(data: changed)))
    }

    /// Removing an upload stops the hash that follows its pieces (which would save its state in
    /// the folder being removed) instead of waiting for it: the folder is gone, and stays gone.
    @Test func removingAnUploadStopsTheHashFollowingIt() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false)
        let created = try await uploads.create(owner: .local, length: 4 << 20, metadata: nil, concatenation: nil, lifetime: 3_600_000_000)
        #expect(try await Self.append([UInt8](repeating: 9, count: 1 << 20), to: created, at: 0, in: uploads) == 1 << 20)
        let gate = try Self.holdBackHash(of: created, in: uploads)
        let upload = try uploads.upload(created.id, as: Self.owner)
        let removed = await Self.finishesInTime({ (try? await uploads.remove(upload)) != nil }, gate: gate)
        #expect(removed, "the removal did not wait for the hash held back")
        try await Task.sleep(for: .milliseconds(200))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/resumable/" + created.id))
    }

    /// The hash of the first piece is held back until the second piece has been answered: the
    /// second is taken and committed all the same, and the digest comes out whole once it is let go.
    @Test func aPieceDoesNotWaitForTheHashOfTheOneBefore() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false)
        let bytes = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 5 &+ $0 >> 12) }
        let created = try await uploads.create(owner: .local, length: 8 << 20, metadata: nil, concatenation: nil, lifetime: 3_600_000_000)
        #expect(try await Self.append(Array(bytes[..<(4 << 20)]), to: created, at: 0, in: uploads) == 4 << 20)
        let gate = try Self.holdBackHash(of: created, in: uploads)
        let second = Task { try await Self.append(Array(bytes[(4 << 20)...]), to: created, at: 4 << 20, in: uploads) }
        let committedFirst = await Self.finishesInTime({ (try? await second.value) == 8 << 20 }, gate: gate)
        #expect(committedFirst, "the second piece was answered while the first one's hash was held back")
        let upload = try uploads.upload(created.id, as: Self.owner)
        #expect(try await uploads.staged(upload).blob.digest == BlobDigest(bytes: SHA256.hash(data: bytes)))
    }

    /// A piece dropped for its checksum and a piece cut off half-way come right after pieces whose
    /// hash is still on its way: the digest holds the bytes the file keeps, no more, no less.
    @Test func droppedAndCutOffPiecesLeaveTheDigestOfTheBytesKept() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false)
        let bytes = (0..<(12 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ $0 >> 16) }
        let created = try await uploads.create(owner: .local, length: 12 << 20, metadata: nil, concatenation: nil, lifetime: 3_600_000_000)
        #expect(try await Self.append(Array(bytes[..<(4 << 20)]), to: created, at: 0, in: uploads) == 4 << 20)

        let wrong = ChunkChecksum(algorithm: .sha256, expected: Data(SHA256.hash(data: [1, 2, 3])))
        let refused = try await Self.piece(of: created, at: 4 << 20, length: 4 << 20, checksum: wrong, in: uploads)
        try await Self.write(bytes[(4 << 20)..<(8 << 20)], to: refused)
        let error = await #expect(throws: StorageError.self) { try await refused.commit() }
        #expect(error?.code == .checksumMismatch)
        #expect(try uploads.upload(created.id, as: Self.owner).offset == 4 << 20)
        #expect(uploads.written.bytes == 0, "the bytes of the piece dropped are kept no longer")

        let cut = try await Self.piece(of: created, at: 4 << 20, length: 8 << 20, in: uploads)
        try await Self.write(bytes[(4 << 20)..<(7 << 20)], to: cut)
        #expect(await cut.keep() == 7 << 20)

        #expect(try await Self.append(Array(bytes[(7 << 20)...]), to: created, at: 7 << 20, in: uploads) == 12 << 20)
        let upload = try uploads.upload(created.id, as: Self.owner)
        #expect(try await uploads.staged(upload).blob.digest == BlobDigest(bytes: SHA256.hash(data: bytes)))
    }

    /// `bytes` uploaded in two pieces: the first of one byte, whose hash has ended, then the
    /// rest, whose hash is held back until the gate returned is finished.
    static func uploadHoldingBackTheSecondHash(
        _ bytes: [UInt8],
        in uploads: ResumableUploads
    ) async throws -> (upload: ResumableUpload, gate: AsyncStream<Void>.Continuation) {
        let created = try await uploads.create(owner: .local, length: Int64(bytes.count), metadata: nil, concatenation: nil, lifetime: 3_600_000_000)
        #expect(try await Self.append([bytes[0]], to: created, at: 0, in: uploads) == 1)
        if case .following(let first) = uploads.hashes.withLock({ $0[created.id] }) { _ = try await first.value }
        let gate = try Self.holdBackHash(of: created, in: uploads)
        #expect(try await Self.append(Array(bytes[1...]), to: created, at: 1, in: uploads) == bytes.count)
        return (try uploads.upload(created.id, as: Self.owner), gate)
    }

    /// The hash behind the pieces takes their bytes as they were written, kept in memory: the
    /// partial file, changed behind the server's back before the hash is let go, is not read.
    /// Once the hash has them, nothing stays kept.
    @Test func theHashTakesThePiecesBytesKeptOnceWritten() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false)
        let bytes = (0..<((5 << 20) + 555)).map { UInt8(truncatingIfNeeded: $0 &* 3 &+ $0 >> 9) }
        let (upload, gate) = try await Self.uploadHoldingBackTheSecondHash(bytes, in: uploads)
        #expect(uploads.written.bytes == bytes.count - 1)

        var changed = bytes
        changed[3 << 20] &+= 1
        try Data(changed).write(to: URL(fileURLWithPath: directory.path + "/resumable/" + upload.id + "/data"))
        gate.finish()
        #expect(try await uploads.staged(upload).blob.digest == BlobDigest(bytes: SHA256.hash(data: bytes)))
        #expect(uploads.written.bytes == 0)
    }

    /// Past the budget of bytes kept, the hash reads the rest back from the partial file: the
    /// digest is whole, and the budget was never passed.
    @Test func bytesPastTheBudgetAreReadBackFromTheFile() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false, written: WrittenBytes(budget: 3 << 20))
        let bytes = (0..<((7 << 20) + 99)).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ $0 >> 14) }
        let (upload, gate) = try await Self.uploadHoldingBackTheSecondHash(bytes, in: uploads)
        #expect(uploads.written.bytes > 0 && uploads.written.held <= 3 << 20)
        gate.finish()
        #expect(try await uploads.staged(upload).blob.digest == BlobDigest(bytes: SHA256.hash(data: bytes)))
        #expect(uploads.written.bytes == 0)
    }

    /// The offset a client resumes from is read once the piece that holds the upload has ended:
    /// a piece cut off while its bytes are still being written is counted whole; one that runs on
    /// past the patience makes the asker wait no longer than that, then `locked`; the upload of
    /// another is not found at once, however long a piece holds it.
    @Test func theSettledOffsetWaitsForThePieceThatHoldsTheUpload() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false)
        let created = try await uploads.create(owner: .local, length: 8 << 20, metadata: nil, concatenation: nil, lifetime: 3_600_000_000)
        let cut = try await Self.piece(of: created, at: 0, length: 8 << 20, in: uploads)
        try await Self.write([UInt8](repeating: 7, count: 1 << 20), to: cut)

        let asked = ContinuousClock.now
        let error = await #expect(throws: StorageError.self) {
            try await uploads.settledUpload(created.id, as: Self.owner, patience: .milliseconds(300))
        }
        #expect(error?.code == .locked)
        #expect(ContinuousClock.now - asked >= .milliseconds(300))
        let stranger = Principal(name: "someone", isAdmin: false)
        let strangerAsked = ContinuousClock.now
        let notFound = await #expect(throws: StorageError.self) {
            try await uploads.settledUpload(created.id, as: stranger, patience: .seconds(30))
        }
        #expect(notFound?.code == .notFound && ContinuousClock.now - strangerAsked < .seconds(10))

        let settled = Task { try await uploads.settledUpload(created.id, as: Self.owner, patience: .seconds(30)).offset }
        // Asked while the piece runs: an offset read at once would miss the bytes still to come.
        try await Task.sleep(for: .milliseconds(100))
        try await Self.write([UInt8](repeating: 8, count: 1 << 20), to: cut)
        #expect(await cut.keep() == 2 << 20)
        #expect(try await settled.value == 2 << 20)
    }

    /// A creation a crash cut short leaves a folder without `info.json`: the expiry sweep removes
    /// it once it is a minute old (a creation under way is younger), and leaves uploads alone.
    @Test func theSweepRemovesFoldersOfCreationsCutShort() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false)
        let kept = try await uploads.create(owner: .local, length: 10, metadata: nil, concatenation: nil, lifetime: 3_600_000_000)
        let resumable = directory.path + "/resumable"
        for name in ["abandoned", "beingCreated"] {
            try FileManager.default.createDirectory(atPath: resumable + "/" + name, withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: resumable + "/" + name + "/data"))
        }
        let twoMinutesAgo = Date(timeIntervalSinceNow: -120)
        try FileManager.default.setAttributes([.modificationDate: twoMinutesAgo], ofItemAtPath: resumable + "/abandoned")
        #expect(try await uploads.removeExpired() == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: resumable).sorted() == ["beingCreated", kept.id].sorted())
    }

    /// What an owner's unfinished uploads hold against the quota is read from the folders once,
    /// then follows every change: a creation, bytes of a deferred length, a late length, a file
    /// made, a termination, an expiry, and another owner's uploads count for that owner alone.
    @Test func pendingBytesFollowEveryChangeAfterTheFirstRead() async throws {
        let directory = try TemporaryDirectory()
        let hour: Int64 = 3_600_000_000
        let bob = Principal(name: "bob", isAdmin: false)
        let carol = Principal(name: "carol", isAdmin: false)
        let before = try ResumableUploads(root: directory.path, durable: false)
        let declared = try await before.create(owner: bob, length: 100, metadata: nil, concatenation: nil, lifetime: hour)
        _ = try await before.create(owner: carol, length: 1000, metadata: nil, concatenation: nil, lifetime: hour)

        let uploads = try ResumableUploads(root: directory.path, durable: false)
        #expect(try await uploads.pendingBytes(of: bob) == 100)
        #expect(try await uploads.pendingBytes(of: bob, excluding: declared.id) == 0)
        let deferred = try await uploads.create(owner: bob, length: nil, metadata: nil, concatenation: nil, lifetime: hour)
        #expect(try await Self.append([UInt8](repeating: 1, count: 30), to: deferred, at: 0, in: uploads) == 30)
        #expect(try await uploads.pendingBytes(of: bob) == 130)
        var late = try uploads.upload(deferred.id, as: Self.owner)
        late = try await uploads.declareLength(of: late, 50)
        #expect(try await uploads.pendingBytes(of: bob) == 150)
        _ = try await uploads.recordFile(FileID.random(), of: late)
        #expect(try await uploads.pendingBytes(of: bob) == 100)
        try await uploads.terminate(try uploads.upload(declared.id, as: Self.owner), patience: .zero)
        #expect(try await uploads.pendingBytes(of: bob) == 0)
        _ = try await uploads.create(owner: bob, length: 7, metadata: nil, concatenation: nil, lifetime: -1)
        #expect(try await uploads.pendingBytes(of: bob) == 0, "an expired upload holds nothing")
        #expect(try await uploads.pendingBytes(of: carol) == 1000)
    }

    /// A user deleted and made again under the same name is another account: the first one's
    /// unfinished upload is neither found by the second nor counted against its quota.
    @Test func aLaterAccountOfTheSameNameInheritsNoUpload() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false)
        let first = Principal(name: "bob", isAdmin: false, account: .init(createdAt: 1_000, defaultQuota: nil))
        let later = Principal(name: "bob", isAdmin: false, account: .init(createdAt: 2_000, defaultQuota: nil))
        let upload = try await uploads.create(owner: first, length: 100, metadata: nil, concatenation: nil, lifetime: 3_600_000_000)

        #expect(try uploads.upload(upload.id, as: first).id == upload.id)
        #expect(try await uploads.pendingBytes(of: first) == 100)
        let refusal = #expect(throws: StorageError.self) { try uploads.upload(upload.id, as: later) }
        #expect(refusal?.code == .notFound)
        #expect(try await uploads.pendingBytes(of: later) == 0)
    }
}
