/// The metadata store: one record per file, each pointing at a blob by digest.
///
/// Reads see committed data; every change goes through `commit`, one transaction per unit of work.
/// SQLite implements it today; PostgreSQL can later, behind the same protocol. Reference counting
/// of blobs is derived from the records (`referenceCount`), so a record and its blob reference can
/// never disagree. Share links live beside the records and go with their file. Only
/// `FilesService` uses a catalog: it keeps records and blobs consistent.
public protocol Catalog: ShareLinkCatalog, JobCatalog, EventCatalog {
    /// Runs every write of `unit` in one transaction, all or none, and returns what changed, one
    /// entry per write in order.
    func commit(_ unit: UnitOfWork) async throws -> [FileChange]
    /// The record with this id, if any.
    func file(id: FileID) async throws -> FileRecord?
    /// One page of records.
    func list(_ query: FileListQuery) async throws -> FilePage
    /// Every content some record points at.
    func digests() async throws -> [BlobDigest]
    /// Keeps what a scrub found of a content.
    func recordCheck(_ check: BlobCheck, of digest: BlobDigest, at time: Int64) async throws
    /// What the last scrub found of a content; `nil` when none checked it.
    func integrity(of digest: BlobDigest) async throws -> Integrity?
    /// Forgets what scrubs found of a content (its blob was removed, or replaced by good bytes).
    func forgetIntegrity(of digest: BlobDigest) async throws
    /// How many records point at a blob.
    func referenceCount(of digest: BlobDigest) async throws -> Int
    /// The bytes of `owner`'s files, each content counted once.
    func usage(of owner: String) async throws -> Int64
    /// How many more bytes the files of the user of this name may hold by their quota as it is
    /// now (their own, else `defaultQuota`); `nil` when they have none, or are no user.
    func remainingQuota(ofUser name: String, defaultQuota: Int64?) async throws -> Int64?
    /// Checks that the database answers (readiness).
    func ping() async throws
}
