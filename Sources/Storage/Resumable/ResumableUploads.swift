import Crypto
import Foundation
import Glibc
public import NIOCore
public import NIOPosix
import Synchronization

/// Uploads that arrive in pieces (tus), each in a directory of its own under `resumable/`: its
/// partial file `data` and its `info.json`. The start-up sweep of staging files leaves them
/// alone; unfinished ones are removed when they expire.
///
/// Each piece is appended through the same staging as every other upload (writes of up to 1 MiB)
/// and answered once its bytes are written; the SHA-256 follows behind, from the piece's buffers
/// kept once written (`WrittenBytes`), or, past their budget and after a restart, from the page
/// cache where the bytes lie (mapped, not copied out), so it uses the time a client such as tuspy
/// takes to get its next piece ready, and no piece waits for the hash of the one before.
/// Finishing waits for the hash to reach the end, and needs no second read of the whole. The
/// running state is saved beside the partial file after each piece (`sha256.state`): a restarted
/// server takes it up there, and derives it again from the partial file only where that file is
/// missing or not whole. One request at a time holds an upload.
public final class ResumableUploads: Sendable {
    private let directory: String
    private let durable: Bool
    private let threadPool: NIOThreadPool
    private let allocator = ByteBufferAllocator()
    private let busy = Mutex<Set<String>>([])
    /// Each upload's hash, by id (internal: a test holds one back).
    let hashes = Mutex<[String: KnownHash]>([:])
    /// The bytes written and not hashed yet (internal: tests look at what is kept).
    let written: WrittenBytes
    /// The unfinished uploads, by id, as their owners' quotas count them: read from the folders
    /// when a quota first asks (`pendingBytes`), then kept by each change made here. One server
    /// holds the root (`RootClaim`): no other process makes any meanwhile.
    private let unfinished = Mutex<[String: ResumableUpload]?>(nil)

    /// The most bytes one job of the thread pool reads and hashes: about 2 ms of SHA-256, so that
    /// the writes of other uploads, which share the pool, never wait long behind a hash.
    static let hashedPerJob: Int64 = 4 << 20

    /// The SHA-256 state of an upload's first `offset` bytes.
    struct HashState: Sendable {
        let offset: Int64
        let hasher: ResumableHash
    }

    /// The hash of an upload's bytes: known, or on its way to the end of its last piece.
    enum KnownHash: Sendable {
        case known(HashState)
        case following(Task<HashState, any Error>)
    }

    /// The uploads under `root/resumable`, which is created if needed.
    public convenience init(root: String, durable: Bool, threadPool: NIOThreadPool = .singleton) throws {
        try self.init(root: root, durable: durable, threadPool: threadPool, written: WrittenBytes())
    }

    init(root: String, durable: Bool, threadPool: NIOThreadPool = .singleton, written: WrittenBytes) throws {
        self.directory = root + "/resumable"
        self.durable = durable
        self.threadPool = threadPool
        self.written = written
        try SystemFile.makeDirectories(self.directory, sync: durable)
    }

    // MARK: Records

    /// Starts an upload of `length` bytes (`nil`: told later) for `owner`, removed unless finished
    /// within `lifetime` microseconds.
    public func create(
        owner: Principal,
        length: Int64?,
        metadata: String?,
        concatenation: ResumableUpload.Concatenation?,
        lifetime: Int64
    ) async throws -> ResumableUpload {
        let now = FilesService.now()
        let upload = ResumableUpload(
            id: RandomIdentifier.make(),
            owner: owner.name,
            ownerAccount: owner.account?.createdAt,
            length: length,
            metadata: metadata,
            createdAt: now,
            expiresAt: now + lifetime,
            concatenation: concatenation,
            fileID: nil
        )
        let folder = self.folder(upload.id)
        try await self.threadPool.runIfActive {
            do {
                try SystemFile.makeDirectories(folder, sync: self.durable)
                let fd = try SystemFile.open(folder + "/data", flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
                SystemFile.close(fd)
                try self.save(upload)
            } catch {
                // A full device, say: nothing of the upload that never was is kept.
                try? Self.removeFolder(folder)
                throw error
            }
        }
        return upload
    }

    /// The upload `id` as the principal may see it (another's is not found), with its offset;
    /// `gone` once it has expired.
    ///
    /// Its record (a few hundred bytes) and its partial file's size are read on the calling
    /// thread, as static lookups are: a trip to the thread pool and back costs a request more than
    /// the reads (every PATCH makes several).
    public func upload(_ id: String, as principal: Principal) throws -> ResumableUpload {
        guard RandomIdentifier.isWellFormed(id) else { throw StorageError.uploadNotFound }
        let folder = self.folder(id)
        guard var upload = Self.savedRecord(in: folder) else { throw StorageError.uploadNotFound }
        guard principal.isAdmin || upload.isOwned(by: principal) else { throw StorageError.uploadNotFound }
        guard upload.expiresAt > FilesService.now() else { throw StorageError.uploadExpired }
        if upload.fileID != nil {
            upload.offset = upload.length ?? 0
        } else {
            let fd = try SystemFile.open(folder + "/data", flags: O_RDONLY)
            defer { SystemFile.close(fd) }
            upload.offset = try SystemFile.fileSize(fd, path: folder + "/data")
        }
        return upload
    }

    /// The upload `id` as `upload(_:as:)` gives it, once no request appends to it: a piece cut
    /// off by a dropped connection is still being written when its client asks where to resume,
    /// and an offset read before it settles would send that client to the wrong place. `locked`
    /// when a request still holds it after `patience`.
    public func settledUpload(_ id: String, as principal: Principal, patience: Duration) async throws -> ResumableUpload {
        if self.isLocked(id) {
            // One that is not found, or not the principal's, is answered without waiting.
            _ = try self.upload(id, as: principal)
            try await self.wait(for: id, patience: patience, taking: false)
        }
        return try self.upload(id, as: principal)
    }

    /// Waits up to `patience` until no request holds upload `id` (`locked` after it); with
    /// `taking`, takes it then.
    private func wait(for id: String, patience: Duration, taking: Bool) async throws {
        let deadline = ContinuousClock.now + patience
        while taking ? !self.lock(id) : self.isLocked(id) {
            guard ContinuousClock.now < deadline else { throw StorageError.uploadLocked }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The bytes `owner`'s uploads that are not files yet hold or will hold, but `excluded`'s: the
    /// declared length of each, what it holds so far when it deferred its length. They count
    /// against a quota, so that unfinished uploads cannot hold more than it on the disk.
    public func pendingBytes(of owner: Principal, excluding excluded: String? = nil) async throws -> Int64 {
        let now = FilesService.now()
        return try await self.threadPool.runIfActive {
            // Read under the lock, so that no change made meanwhile is missed or undone.
            let counted = try self.unfinished.withLock { unfinished in
                if unfinished == nil { unfinished = try self.readUnfinished() }
                return unfinished!.filter { id, upload in id != excluded && upload.isOwned(by: owner) && upload.expiresAt > now }
            }
            var total: Int64 = 0
            for (id, upload) in counted {
                if let length = upload.length {
                    total += length
                } else {
                    let path = self.folder(id) + "/data"
                    guard let fd = try? SystemFile.open(path, flags: O_RDONLY) else { continue }
                    total += (try? SystemFile.fileSize(fd, path: path)) ?? 0
                    SystemFile.close(fd)
                }
            }
            return total
        }
    }

    /// Fixes the length of an upload that deferred it.
    public func declareLength(of upload: ResumableUpload, _ length: Int64) async throws -> ResumableUpload {
        var upload = upload
        upload.length = length
        try await self.threadPool.runIfActive { [upload] in try self.save(upload) }
        return upload
    }

    /// Records the file a complete upload became (its partial file became the file's blob).
    public func recordFile(_ id: FileID, of upload: ResumableUpload) async throws -> ResumableUpload {
        var upload = upload
        upload.fileID = id.rawValue
        try await self.threadPool.runIfActive { [upload] in
            try self.save(upload)
            try SystemFile.unlink(self.folder(upload.id) + "/data")
        }
        self.hashes.withLock { _ = $0.removeValue(forKey: upload.id) }
        self.written.drop(upload.id)
        return upload
    }

    /// Removes an upload and its bytes (termination, expiry, a refused file).
    public func remove(_ upload: ResumableUpload) async throws {
        // The hash following the last piece saves its state in the folder: it stops first.
        let following = self.hashes.withLock { hashes -> Task<HashState, any Error>? in
            guard case .following(let task) = hashes.removeValue(forKey: upload.id) else { return nil }
            return task
        }
        following?.cancel()
        _ = try? await following?.value
        self.written.drop(upload.id)
        let folder = self.folder(upload.id)
        try await self.threadPool.runIfActive {
            try Self.removeFolder(folder)
            self.unfinished.withLock { _ = $0?.removeValue(forKey: upload.id) }
        }
    }

    /// Removes an upload's folder and what it holds (blocking).
    private static func removeFolder(_ folder: String) throws {
        for name in (try? SystemFile.entries(of: folder)) ?? [] { try SystemFile.unlink(folder + "/" + name) }
        try SystemFile.removeDirectory(folder)
    }

    /// Ends an upload at its client's request (tus termination). A request that appends to it is
    /// waited for up to `patience`, as `settledUpload` waits: a client cancelling an upload drops
    /// its PATCH's connection and sends the DELETE at once, before the server has seen the drop
    /// (as tusd asks the holder of an upload's lock to let go). `locked` when it still holds it.
    public func terminate(_ upload: ResumableUpload, patience: Duration) async throws {
        try await self.wait(for: upload.id, patience: patience, taking: true)
        defer { self.unlock(upload.id) }
        try await self.remove(upload)
    }

    /// Removes every upload that expired before `now` (none that a request holds), and the folders
    /// of creations a crash cut short (no `info.json` a minute on); how many.
    public func removeExpired() async throws -> Int {
        let directory = self.directory
        let now = FilesService.now()
        let (expired, abandoned) = try await self.threadPool.runIfActive { () -> ([ResumableUpload], Int) in
            var expired: [ResumableUpload] = []
            var abandoned = 0
            for id in try SystemFile.entries(of: directory) {
                let folder = directory + "/" + id
                guard let upload = Self.savedRecord(in: folder) else {
                    if !SystemFile.exists(folder + "/info.json"), SystemFile.modificationTime(folder) < now / 1_000_000 - 60 {
                        try Self.removeFolder(folder)
                        abandoned += 1
                    }
                    continue
                }
                if upload.expiresAt <= now { expired.append(upload) }
            }
            return (expired, abandoned)
        }
        var removed = abandoned
        for upload in expired where self.lock(upload.id) {
            defer { self.unlock(upload.id) }
            try await self.remove(upload)
            removed += 1
        }
        return removed
    }

    // MARK: Bytes

    /// Starts appending to `upload` at `offset`, at most `limit` bytes, `declared` when the piece
    /// says how long it is; `checksum`, when given, must match the piece or it is dropped.
    /// `locked` while another request appends to it, `conflict` when `offset` is not where its
    /// bytes end.
    public func append(
        to upload: ResumableUpload,
        at offset: Int64,
        limit: Int64,
        declared: Int64?,
        checksum: ChunkChecksum?
    ) async throws -> ResumableAppend {
        guard self.lock(upload.id) else { throw StorageError.uploadLocked }
        do {
            let path = self.folder(upload.id) + "/data"
            let (fd, claimed) = try await self.threadPool.runIfActive { () -> (Int32, Int64) in
                let fd = try SystemFile.open(path, flags: O_WRONLY)
                do {
                    let end = Int64(lseek(fd, 0, SEEK_END))
                    guard end == offset else { throw StorageError.offsetConflict(expected: end, given: offset) }
                    return (fd, try SpaceReserve.claim(min(declared ?? 0, limit), in: fd, at: offset, path: path))
                } catch {
                    SystemFile.close(fd)
                    throw error
                }
            }
            let staging = LocalBlobStaging(
                fd: fd,
                path: path,
                durable: self.durable,
                threadPool: self.threadPool,
                allocator: self.allocator,
                resumingAt: offset,
                hashing: false,
                roomThrough: offset + claimed,
                handOver: { [written, id = upload.id] buffer, offset in written.keep(buffer, of: id, at: offset) }
            )
            return ResumableAppend(uploads: self, id: upload.id, offset: offset, staging: staging, limit: limit, checksum: checksum)
        } catch {
            self.unlock(upload.id)
            throw error
        }
    }

    /// A complete upload's bytes as a staged blob, for the files service to store (moving the
    /// partial file), and its first bytes for content detection.
    public func staged(_ upload: ResumableUpload) async throws -> (blob: StagedBlob, head: [UInt8]) {
        let length = upload.length ?? upload.offset
        let state = try await self.hashState(of: upload.id, upTo: length)
        let path = self.folder(upload.id) + "/data"
        let head = try await self.threadPool.runIfActive { () -> [UInt8] in
            let fd = try SystemFile.open(path, flags: O_RDONLY)
            defer { SystemFile.close(fd) }
            return Array(try SystemFile.read(fd, offset: 0, length: 4096, allocator: self.allocator, path: path).readableBytesView)
        }
        return (StagedBlob(digest: BlobDigest(bytes: state.hasher.finalize()), size: length, location: path), head)
    }

    /// A new upload for `owner` holding the bytes of `parts` (complete uploads), in order.
    public func concatenate(_ parts: [ResumableUpload], owner: Principal, metadata: String?, lifetime: Int64) async throws -> ResumableUpload {
        var upload = try await self.create(
            owner: owner,
            length: parts.reduce(0) { $0 + $1.offset },
            metadata: metadata,
            concatenation: .final(parts.map(\.id)),
            lifetime: lifetime
        )
        let append = try await self.append(to: upload, at: 0, limit: upload.length ?? 0, declared: nil, checksum: nil)
        do {
            for part in parts {
                let path = self.folder(part.id) + "/data"
                let fd = try await self.threadPool.runIfActive { try SystemFile.open(path, flags: O_RDONLY) }
                defer { SystemFile.close(fd) }
                var offset: Int64 = 0
                while offset < part.offset {
                    let position = offset
                    let piece = try await self.threadPool.runIfActive {
                        try SystemFile.read(fd, offset: position, length: 1 << 20, allocator: self.allocator, path: path)
                    }
                    guard piece.readableBytes > 0 else { break }
                    try await append.write(piece)
                    offset += Int64(piece.readableBytes)
                }
            }
            upload.offset = try await append.commit()
        } catch {
            await append.discard()
            try? await self.remove(upload)
            throw error
        }
        return upload
    }

    // MARK: Private

    private func folder(_ id: String) -> String {
        self.directory + "/" + id
    }

    /// Puts the upload's record in its folder whole or not at all (blocking): written beside it,
    /// synced first when durable, then renamed over it. A write that fails leaves no file behind.
    private func save(_ upload: ResumableUpload) throws {
        let folder = self.folder(upload.id)
        let (path, temporary) = (folder + "/info.json", folder + "/info.json.new")
        let fd = try SystemFile.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        do {
            defer { SystemFile.close(fd) }
            try SystemFile.writeAll(fd, ByteBuffer(bytes: try JSONEncoder().encode(upload)), path: temporary)
            if self.durable { try SystemFile.sync(fd, path: temporary) }
        } catch {
            try? SystemFile.unlink(temporary)
            throw error
        }
        try SystemFile.rename(temporary, path)
        if self.durable { try SystemFile.syncDirectory(folder) }
        self.unfinished.withLock { unfinished in
            unfinished?[upload.id] = upload.fileID == nil ? upload : nil
        }
    }

    /// The record saved in an upload's folder, when a whole one is there (blocking).
    private static func savedRecord(in folder: String) -> ResumableUpload? {
        FileManager.default.contents(atPath: folder + "/info.json").flatMap { try? JSONDecoder().decode(ResumableUpload.self, from: $0) }
    }

    /// The unfinished uploads the folders hold (blocking).
    private func readUnfinished() throws -> [String: ResumableUpload] {
        var unfinished: [String: ResumableUpload] = [:]
        for id in try SystemFile.entries(of: self.directory) {
            guard let upload = Self.savedRecord(in: self.folder(id)), upload.fileID == nil else { continue }
            unfinished[id] = upload
        }
        return unfinished
    }

    /// The hash state of an upload's first `offset` bytes, once the hash following its pieces
    /// reaches there.
    private func hashState(of id: String, upTo offset: Int64) async throws -> HashState {
        try await self.hashState(after: self.hashes.withLock { $0[id] }, of: id, upTo: offset)
    }

    /// The hash state of an upload's first `offset` bytes, carried on from `previous` (after a
    /// restart, or a hash that failed: from the state saved beside the partial file, or else from
    /// its start).
    private func hashState(after previous: KnownHash?, of id: String, upTo offset: Int64) async throws -> HashState {
        var known: HashState?
        switch previous {
        case .known(let state): known = state
        case .following(let task):
            // A removal cancels the last hash of the chain, and so every one it waits for.
            known = await withTaskCancellationHandler {
                try? await task.value
            } onCancel: {
                task.cancel()
            }
        case nil: break
        }
        if known == nil {
            let path = self.hashStatePath(id)
            known = try? await self.threadPool.runIfActive { Self.savedHashState(at: path) }
        }
        var state = known ?? HashState(offset: 0, hasher: ResumableHash())
        if state.offset == offset { return state }
        if state.offset > offset { state = HashState(offset: 0, hasher: ResumableHash()) }
        return try await self.extend(state, of: id, to: offset)
    }

    /// `state` carried on to `offset` with the upload's bytes: those kept once written, the others
    /// read from its partial file.
    private func extend(_ state: HashState, of id: String, to offset: Int64) async throws -> HashState {
        let path = self.folder(id) + "/data"
        let fd = try SystemFile.open(path, flags: O_RDONLY)
        defer { SystemFile.close(fd) }
        var state = state
        while state.offset < offset {
            try Task.checkCancellation()
            let start = state.offset
            let (kept, next) = self.written.take(of: id, from: start, through: offset, atMost: Int(Self.hashedPerJob))
            let end = kept.isEmpty ? min(offset, start + Self.hashedPerJob, next ?? offset) : start + Int64(kept.reduce(0) { $0 + $1.readableBytes })
            let hasher = try await self.threadPool.runIfActive { [state] () -> ResumableHash in
                var hasher = state.hasher
                if kept.isEmpty {
                    try SystemFile.withMappedRegion(fd, offset: start, length: Int(end - start), path: path) { hasher.update(bufferPointer: $0) }
                }
                for buffer in kept { buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
                return hasher
            }
            state = HashState(offset: end, hasher: hasher)
        }
        return state
    }

    /// Lets the upload go once a piece of it ended with its partial file `size` bytes long; the
    /// hash follows the bytes up to there, behind the piece's answer.
    fileprivate func settle(_ id: String, size: Int64) {
        self.hashes.withLock { hashes in
            let previous = hashes[id]
            if case .known(let state) = previous, state.offset == size { return }
            hashes[id] = .following(
                Task {
                    let state = try await self.hashState(after: previous, of: id, upTo: size)
                    // A state that is not saved is derived again after a restart: nothing is lost.
                    // Some 150 bytes: written on the calling thread.
                    try? Self.save(state, at: self.hashStatePath(id))
                    return state
                }
            )
        }
        self.unlock(id)
    }

    private func hashStatePath(_ id: String) -> String {
        self.folder(id) + "/sha256.state"
    }

    /// Saves `state` at `path` (blocking): its offset, the running state, and a SHA-256 of both,
    /// so that a torn or foreign file is never taken for a state.
    ///
    /// Written over the one before, in place: its checksum already refuses a write the machine
    /// tore, and a new file renamed over the old one each piece cost ext4 an inode and a rename
    /// (a seventh of a small piece's time). Not synced: a state lost with the machine is derived
    /// again.
    private static func save(_ state: HashState, at path: String) throws {
        var record = withUnsafeBytes(of: state.offset.bigEndian) { Array($0) } + state.hasher.savedState
        record += SHA256.hash(data: record)
        // Every record has the same size, so each one covers the whole of the one before.
        let fd = try SystemFile.open(path, flags: O_WRONLY | O_CREAT, mode: 0o600)
        defer { SystemFile.close(fd) }
        try SystemFile.writeAll(fd, ByteBuffer(bytes: record), path: path)
    }

    /// The state saved at `path`, when a whole one is there (blocking).
    private static func savedHashState(at path: String) -> HashState? {
        let size = 8 + ResumableHash.stateSize
        guard let data = FileManager.default.contents(atPath: path), data.count == size + 32 else { return nil }
        let record = data.prefix(size)
        guard Data(SHA256.hash(data: record)) == data.suffix(32) else { return nil }
        let offset = record.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
        guard offset >= 0, let hasher = ResumableHash(savedState: record.dropFirst(8)) else { return nil }
        return HashState(offset: offset, hasher: hasher)
    }

    fileprivate func truncate(_ id: String, to offset: Int64) async throws {
        self.written.drop(id, beyond: offset)
        let path = self.folder(id) + "/data"
        try await self.threadPool.runIfActive {
            if Glibc.truncate(path, off_t(offset)) != 0 { throw SystemFile.error("truncate", path) }
        }
    }

    private func lock(_ id: String) -> Bool {
        self.busy.withLock { $0.insert(id).inserted }
    }

    private func isLocked(_ id: String) -> Bool {
        self.busy.withLock { $0.contains(id) }
    }

    private func unlock(_ id: String) {
        self.busy.withLock { _ = $0.remove(id) }
    }
}

/// One request's piece of a resumable upload, streamed to its partial file. End it with
/// `commit` (all of it arrived), `keep` (the connection broke: the bytes that came are kept,
/// unless a checksum was given, which they can no longer match) or `discard`.
public final class ResumableAppend {
    private let uploads: ResumableUploads
    private let id: String
    /// Where the piece begins: the partial file's size before it.
    private let offset: Int64
    private let staging: LocalBlobStaging
    private let limit: Int64
    private let checksum: ChunkChecksum?
    private var chunk: ChunkHasher?
    private var received: Int64 = 0
    private var ended = false

    fileprivate init(
        uploads: ResumableUploads,
        id: String,
        offset: Int64,
        staging: LocalBlobStaging,
        limit: Int64,
        checksum: ChunkChecksum?
    ) {
        self.uploads = uploads
        self.id = id
        self.offset = offset
        self.staging = staging
        self.limit = limit
        self.checksum = checksum
        self.chunk = checksum.map { ChunkHasher($0.algorithm) }
    }

    /// Appends bytes; `tooLarge` once the piece passes its limit.
    public func write(_ buffer: ByteBuffer) async throws {
        self.received += Int64(buffer.readableBytes)
        guard self.received <= self.limit else { throw StorageError.pieceTooLarge(limit: self.limit) }
        if self.chunk != nil { buffer.withUnsafeReadableBytes { self.chunk!.update($0) } }
        try await self.staging.write(buffer)
    }

    /// Ends a piece that arrived whole: its bytes are written (and synced when durable) and the
    /// new offset returned; a piece that does not match its checksum is dropped (`checksumMismatch`).
    public func commit() async throws -> Int64 {
        if let checksum = self.checksum, let chunk = self.chunk, chunk.finalize() != checksum.expected {
            await self.discard()
            throw StorageError.checksumMismatch(checksum.algorithm.rawValue)
        }
        do {
            let size = try await self.staging.pause()
            self.end(size: size)
            return size
        } catch {
            await self.discard()
            throw error
        }
    }

    /// Ends a piece cut off by the client: what arrived is kept, its offset returned (`nil` when
    /// it was dropped: a piece with a checksum cannot be checked half-way).
    @discardableResult
    public func keep() async -> Int64? {
        guard self.checksum == nil, let size = try? await self.staging.pause() else {
            await self.discard()
            return nil
        }
        // Gives back the room claimed for the bytes that did not come.
        try? await self.uploads.truncate(self.id, to: size)
        self.end(size: size)
        return size
    }

    /// Drops the piece: the partial file ends where it did before.
    public func discard() async {
        guard !self.ended else { return }
        _ = try? await self.staging.pause()
        try? await self.uploads.truncate(self.id, to: self.offset)
        self.end(size: self.offset)
    }

    private func end(size: Int64) {
        guard !self.ended else { return }
        self.ended = true
        self.uploads.settle(self.id, size: size)
    }
}
