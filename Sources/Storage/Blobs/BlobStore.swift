public import NIOCore

/// Where file bytes live, addressed by their SHA-256.
///
/// Writing is two-phase so that nothing half-written is ever visible: bytes go into a staged blob
/// (hashed as they arrive), and only a finished, synced staged blob is stored under its digest.
/// Storing the same bytes twice keeps one copy. A local directory implements this today; an
/// S3-compatible bucket can later, behind the same protocol.
public protocol BlobStore: Sendable {
    /// Starts a new staged blob; `expectedSize`, when the bytes' length is declared, lets the store
    /// make room for them first (and refuse at once when it has none).
    func stage(expectedSize: Int64?) async throws -> any BlobStaging

    /// Makes a finished staged blob durable under its digest.
    /// - Returns: `true` when the blob was new, `false` when identical bytes were already stored
    ///   (the staged copy is then discarded).
    func store(_ staged: StagedBlob) async throws -> Bool

    /// Puts staged bytes in place of a stored blob of the same digest that is damaged or gone (the
    /// staged bytes hash to the digest, so they are the good ones).
    func repair(with staged: StagedBlob) async throws

    /// Throws away a staged blob that was not stored (a no-op once it was).
    func discard(_ staged: StagedBlob) async

    /// Removes a stored blob; removing one that is absent is not an error.
    func remove(_ digest: BlobDigest) async throws

    /// Opens a stored blob for reading.
    func open(_ digest: BlobDigest) async throws -> any BlobReader

    /// Deletes staged blobs left behind by a crash; call before serving. Returns how many were removed.
    func sweepStaging() async throws -> Int

    /// Checks that new blobs can be written now (readiness).
    func checkWritable() async throws

    /// Reads a stored blob whole and compares its SHA-256 with its name.
    func check(_ digest: BlobDigest) async throws -> BlobCheck

    /// Every stored blob with its age in seconds (how long since it was stored).
    func storedBlobs() async throws -> [(digest: BlobDigest, age: Int64)]

    /// A path on the local disk where a stored blob can be read by a library that wants a file
    /// name (libvips), or `nil` when the store keeps blobs elsewhere.
    func localPath(of digest: BlobDigest) -> String?

    /// A rendition of a blob (a thumbnail), named `name`, if it exists: a local path.
    /// Renditions are shared by every file of the blob and removed with it.
    func rendition(of digest: BlobDigest, named name: String) -> String?

    /// A new path in the staging area where a rendition can be written before it is stored.
    func renditionStagingPath() -> String

    /// Moves a finished rendition written at `staged` into place for `digest` under `name`.
    func storeRendition(_ staged: String, of digest: BlobDigest, named name: String) async throws
}

extension BlobStore {
    /// Starts a new staged blob of a length not known yet.
    public func stage() async throws -> any BlobStaging {
        try await self.stage(expectedSize: nil)
    }
}

/// A blob being written: append bytes in order, then finish or abort exactly once.
public protocol BlobStaging: AnyObject {
    /// Appends bytes, hashing and counting them.
    func write(_ buffer: ByteBuffer) async throws
    /// Flushes and (when durability is on) syncs the bytes; the result can then be stored.
    func finish() async throws -> StagedBlob
    /// Throws the bytes away; leaves nothing behind. Safe to call after a failed write or finish.
    func abort() async
}

/// A finished staged blob: its digest and size are known, its bytes are synced but not yet stored.
public struct StagedBlob: Sendable {
    /// SHA-256 of the bytes.
    public let digest: BlobDigest
    /// Number of bytes.
    public let size: Int64
    /// Store-specific locator of the staged bytes.
    let location: String

    init(digest: BlobDigest, size: Int64, location: String) {
        self.digest = digest
        self.size = size
        self.location = location
    }
}

/// Random access to a stored blob's bytes.
public protocol BlobReader: Sendable {
    /// The blob's size in bytes.
    var size: Int64 { get }
    /// Reads up to `length` bytes at `offset`; fewer only at the end of the blob.
    func read(offset: Int64, length: Int) async throws -> ByteBuffer
    /// Releases the reader; further reads fail.
    func close() async throws
}
