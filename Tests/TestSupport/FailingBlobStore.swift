import NIOCore

@testable import Storage

/// A local blob store whose writes fail after a number of bytes, as a full or broken disk would.
struct FailingBlobStore: BlobStore {
    let base: LocalBlobStore
    let failAfter: Int
    let error: StorageError

    /// Wraps a real store; every staged blob fails with `error` once more than `failAfter` bytes were written.
    init(base: LocalBlobStore, failAfter: Int, error: StorageError) {
        self.base = base
        self.failAfter = failAfter
        self.error = error
    }

    public func stage(expectedSize: Int64?) async throws -> any BlobStaging {
        FailingStaging(base: try await self.base.stage(expectedSize: expectedSize), failAfter: self.failAfter, error: self.error)
    }

    public func store(_ staged: StagedBlob) async throws -> Bool { try await self.base.store(staged) }
    public func repair(with staged: StagedBlob) async throws { try await self.base.repair(with: staged) }
    public func discard(_ staged: StagedBlob) async { await self.base.discard(staged) }
    public func remove(_ digest: BlobDigest) async throws { try await self.base.remove(digest) }
    public func open(_ digest: BlobDigest) async throws -> any BlobReader { try await self.base.open(digest) }
    public func sweepStaging() async throws -> Int { try await self.base.sweepStaging() }
    public func checkWritable() async throws { try await self.base.checkWritable() }
    public func localPath(of digest: BlobDigest) -> String? { self.base.localPath(of: digest) }
    public func check(_ digest: BlobDigest) async throws -> BlobCheck { try await self.base.check(digest) }
    public func storedBlobs() async throws -> [(digest: BlobDigest, age: Int64)] { try await self.base.storedBlobs() }
    public func rendition(of digest: BlobDigest, named name: String) -> String? { self.base.rendition(of: digest, named: name) }
    public func renditionStagingPath() -> String { self.base.renditionStagingPath() }
    public func storeRendition(_ staged: String, of digest: BlobDigest, named name: String) async throws {
        try await self.base.storeRendition(staged, of: digest, named: name)
    }
}

final class FailingStaging: BlobStaging {
    let base: any BlobStaging
    let failAfter: Int
    let error: StorageError
    var written = 0

    init(base: any BlobStaging, failAfter: Int, error: StorageError) {
        self.base = base
        self.failAfter = failAfter
        self.error = error
    }

    func write(_ buffer: ByteBuffer) async throws {
        self.written += buffer.readableBytes
        if self.written > self.failAfter { throw self.error }
        try await self.base.write(buffer)
    }

    func finish() async throws -> StagedBlob { try await self.base.finish() }
    func abort() async { await self.base.abort() }
}
