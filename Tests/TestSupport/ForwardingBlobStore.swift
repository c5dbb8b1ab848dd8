public import Storage

/// A blob store that hands every call to `forwarded`: a test's store implements only the calls it
/// watches or breaks.
public protocol ForwardingBlobStore: BlobStore {
    /// The store every call goes to.
    var forwarded: any BlobStore { get }
}

extension ForwardingBlobStore {
    public func stage(expectedSize: Int64?) async throws -> any BlobStaging { try await self.forwarded.stage(expectedSize: expectedSize) }
    public func store(_ staged: StagedBlob) async throws -> Bool { try await self.forwarded.store(staged) }
    public func repair(with staged: StagedBlob) async throws { try await self.forwarded.repair(with: staged) }
    public func discard(_ staged: StagedBlob) async { await self.forwarded.discard(staged) }
    public func remove(_ digest: BlobDigest) async throws { try await self.forwarded.remove(digest) }
    public func open(_ digest: BlobDigest) async throws -> any BlobReader { try await self.forwarded.open(digest) }
    public func sweepStaging() async throws -> Int { try await self.forwarded.sweepStaging() }
    public func checkWritable() async throws { try await self.forwarded.checkWritable() }
    public func check(_ digest: BlobDigest) async throws -> BlobCheck { try await self.forwarded.check(digest) }
    public func storedBlobs() async throws -> [(digest: BlobDigest, age: Int64)] { try await self.forwarded.storedBlobs() }
    public func localPath(of digest: BlobDigest) -> String? { self.forwarded.localPath(of: digest) }
    public func rendition(of digest: BlobDigest, named name: String) -> String? { self.forwarded.rendition(of: digest, named: name) }
    public func renditionStagingPath() -> String { self.forwarded.renditionStagingPath() }
    public func storeRendition(_ staged: String, of digest: BlobDigest, named name: String) async throws {
        try await self.forwarded.storeRendition(staged, of: digest, named: name)
    }
}
