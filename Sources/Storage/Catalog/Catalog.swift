/// The metadata store: one record per file, each pointing at a blob by digest.
///
/// Every method is one transaction. SQLite implements it today; PostgreSQL can later, behind the
/// same protocol. Reference counting of blobs is derived from the records (`referenceCount`), so a
/// record and its blob reference can never disagree.
public protocol Catalog: Sendable {
    /// Adds new records, all or none.
    func insert(_ records: [FileRecord]) async throws
    /// The record with this id, if any.
    func file(id: FileID) async throws -> FileRecord?
    /// One page of records.
    func list(_ query: FileListQuery) async throws -> FilePage
    /// Applies a metadata change; throws `notFound` when there is no such file.
    func update(id: FileID, change: MetadataChange, at time: Int64) async throws -> FileRecord
    /// Points a file at new content; returns the updated record and the digest it pointed at before.
    func replaceContent(id: FileID, with content: ContentChange, at time: Int64) async throws -> (FileRecord, previous: BlobDigest)
    /// Removes a record; throws `notFound` when there is no such file.
    func delete(id: FileID) async throws -> FileRecord
    /// How many records point at a blob.
    func referenceCount(of digest: BlobDigest) async throws -> Int
    /// Checks that the database answers (readiness).
    func ping() async throws
}
