import Crypto
import NIOCore
import NIOPosix

/// A staged blob in the local store's `tmp/` directory.
///
/// Incoming buffers are hashed at once and coalesced into writes of up to 1 MiB (small writes
/// halve the throughput); one that is at least half that size while nothing is gathered is
/// written as it came, without a copy (large socket reads mostly are; that read buffer is then
/// held until its write ends, one at most). One write runs on the thread pool while the next is
/// hashed and gathered, so the disk and the CPU work at the same time; two buffers take turns,
/// and neither ever grows past its size. The size is shared out by `StagingMemory`: many uploads
/// at once get smaller buffers, so their memory stays bounded.
/// A resumable upload's partial file is staged the same way, a request at a time, without hashing
/// (its owner hashes the bytes behind the requests, from the buffers handed to it once written):
/// it resumes at the file's end and pauses when its request ends. No write eats into the device's
/// `SpaceReserve`; bytes of a declared length have their room claimed before they come.
final class LocalBlobStaging: BlobStaging {
    private let fd: Int32
    private let writeSize: Int
    private let path: String
    private let durable: Bool
    private let threadPool: NIOThreadPool
    private let allocator: ByteBufferAllocator
    /// Takes each buffer once written, with the offset of its first byte; such a buffer is then
    /// not used again here.
    private let handOver: (@Sendable (ByteBuffer, Int64) -> Void)?
    /// Where the bytes given to the next write begin.
    private var writtenThrough: Int64
    /// `nil` when the bytes are written without a hash.
    private var hasher: SHA256?
    private var size: Int64
    /// The blocks of the bytes before this offset were reserved when the staging began
    /// (`SpaceReserve.claim`): their writes need no check of the free space.
    private let roomThrough: Int64
    private var pending: ByteBuffer
    private var spare: ByteBuffer?
    /// The write running; it gives back its buffer when it was one of the two taking turns.
    private var inFlight: Task<ByteBuffer?, any Error>?
    /// The error of a write that failed: nothing more is written after it.
    private var failure: (any Error)?
    private var isOpen = true

    init(
        fd: Int32,
        path: String,
        durable: Bool,
        threadPool: NIOThreadPool,
        allocator: ByteBufferAllocator,
        resumingAt size: Int64 = 0,
        hashing: Bool = true,
        roomThrough: Int64 = 0,
        handOver: (@Sendable (ByteBuffer, Int64) -> Void)? = nil
    ) {
        self.fd = fd
        self.size = size
        self.writtenThrough = size
        self.allocator = allocator
        self.handOver = handOver
        self.hasher = hashing ? SHA256() : nil
        self.roomThrough = roomThrough
        self.path = path
        self.durable = durable
        self.threadPool = threadPool
        self.writeSize = StagingMemory.shared.enter()
        self.pending = allocator.buffer(capacity: self.writeSize)
        self.spare = allocator.buffer(capacity: self.writeSize)
    }

    func write(_ buffer: ByteBuffer) async throws {
        if self.hasher != nil { buffer.withUnsafeReadableBytes { self.hasher!.update(bufferPointer: $0) } }
        self.size += Int64(buffer.readableBytes)
        if self.pending.readableBytes == 0 && buffer.readableBytes >= self.writeSize / 2 {
            try await self.awaitInFlight()
            self.start(buffer, reusable: false)
            return
        }
        // Written out before it would outgrow its size (a ByteBuffer doubles when it grows).
        if self.pending.readableBytes + buffer.readableBytes > self.writeSize {
            try await self.flushPending()
        }
        var buffer = buffer
        self.pending.writeBuffer(&buffer)
        if self.pending.readableBytes >= self.writeSize {
            try await self.flushPending()
        }
    }

    func finish() async throws -> StagedBlob {
        precondition(self.hasher != nil, "finish() gives the digest of a staging that hashes")
        let size = try await self.pause()
        return StagedBlob(digest: BlobDigest(bytes: self.hasher!.finalize()), size: size, location: self.path)
    }

    /// Writes out and (when durable) syncs every byte given so far and closes the file, which stays
    /// for a later request to resume; its size. After a failed write it throws that write's error:
    /// the file no longer holds what was given. The file is closed either way.
    func pause() async throws -> Int64 {
        defer { self.closeFile() }
        try await self.flushPending()
        try await self.awaitInFlight()
        if self.durable {
            let (fd, path) = (self.fd, self.path)
            try await self.threadPool.runIfActive { try SystemFile.sync(fd, path: path) }
        }
        return self.size
    }

    func abort() async {
        try? await self.awaitInFlight()
        self.closeFile()
        try? SystemFile.unlink(self.path)
    }

    /// Hands the gathered bytes to the thread pool once the previous write is done.
    private func flushPending() async throws {
        guard self.pending.readableBytes > 0 else { return }
        try await self.awaitInFlight()
        // A buffer handed over is not back: the next one is new.
        var next = self.spare ?? self.allocator.buffer(capacity: self.writeSize)
        self.spare = nil
        next.clear()
        let chunk = self.pending
        self.pending = next
        self.start(chunk, reusable: true)
    }

    /// Writes `chunk` on the thread pool; a `reusable` one (one of the two buffers) comes back,
    /// unless it is handed over.
    private func start(_ chunk: ByteBuffer, reusable: Bool) {
        let (fd, path, pool, handOver) = (self.fd, self.path, self.threadPool, self.handOver)
        // Every byte given so far, this chunk's included, is within the room claimed.
        let claimed = self.size <= self.roomThrough
        let offset = self.writtenThrough
        self.writtenThrough += Int64(chunk.readableBytes)
        self.inFlight = Task {
            try await pool.runIfActive {
                if !claimed { try SpaceReserve.check(writing: chunk.readableBytes, at: path) }
                try SystemFile.writeAll(fd, chunk, path: path)
                guard let handOver else { return reusable ? chunk : nil }
                handOver(chunk, offset)
                return nil
            }
        }
    }

    /// Waits for the write in flight, keeping its buffer for reuse; throws the error of any write
    /// that failed, now or before (its buffer is gone with it).
    private func awaitInFlight() async throws {
        if let failure = self.failure { throw failure }
        guard let task = self.inFlight else { return }
        self.inFlight = nil
        do {
            if let written = try await task.value { self.spare = written }
        } catch {
            self.failure = error
            throw error
        }
    }

    // The buffers live as long as the staging, whether or not it was finished or aborted: so does
    // its share of the budget.
    deinit {
        StagingMemory.shared.leave()
    }

    private func closeFile() {
        if self.isOpen {
            SystemFile.close(self.fd)
            self.isOpen = false
        }
    }
}
