import NIOCore

@testable import Storage

/// A local blob store whose writes fail after a number of bytes, as a full or broken disk would.
struct FailingBlobStore: ForwardingBlobStore {
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

    public var forwarded: any BlobStore { self.base }
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
