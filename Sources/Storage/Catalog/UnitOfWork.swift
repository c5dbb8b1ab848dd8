/// Writes to the catalog that commit together or not at all.
///
/// A unit of work is data, not a closure, so any backend can run it in its own transaction: GRDB's
/// `write { db in ... }` for SQLite, `BEGIN ... COMMIT` on a PostgreSQL connection later. The
/// queue of background jobs and the events that announce a change join a file's record here, so
/// a committed file never misses them and a rolled-back one never has any.
public struct UnitOfWork: Sendable {
    /// One write of a unit.
    public enum Write: Sendable {
        /// Adds a record.
        case insert(FileRecord)
        /// Changes some of a record's metadata; `notFound` when there is no such record (owned by
        /// `ownedBy`, unless that is `nil`).
        case updateMetadata(FileID, MetadataChange, at: Int64, ownedBy: String?)
        /// Points a record at new content; `notFound` as for `updateMetadata`.
        case replaceContent(FileID, ContentChange, at: Int64, ownedBy: String?)
        /// Fails the whole unit (`changed`) when the record's content, after the writes before it,
        /// is not `digest`: the content a request's precondition was checked against.
        case requireContent(of: FileID, digest: BlobDigest)
        /// Fails the whole unit (`changed`) when the record, after the writes before it, was
        /// changed since its `updatedAt` was `updatedAt`: the version a request's precondition
        /// was checked against. Every change of a record moves its `updatedAt` forward.
        case requireVersion(of: FileID, updatedAt: Int64)
        /// Removes a record; `notFound` as for `updateMetadata`.
        case delete(FileID, ownedBy: String?)
        /// Enqueues a job, unless one of the same kind and subject is waiting or running.
        case enqueue(JobRequest, at: Int64)
        /// Fails the whole unit when, after the writes before it, the owner's files hold more
        /// than `limit` bytes (each content counted once).
        case enforceQuota(owner: String, limit: Int64)
        /// Fails the whole unit (`accountGone`) when the user of this name is not the account made
        /// at `createdAt`: deleted, perhaps made again.
        case requireAccount(String, createdAt: Int64)
        /// Fails the whole unit when, after the writes before it, the files of the user of this
        /// name hold more than the user's quota as it is now (their own, else `defaultQuota`; each
        /// content counted once). A name that is no user's has no quota.
        case enforceUserQuota(String, defaultQuota: Int64?)
        /// The same check for the user who owns this file after the writes before it: new
        /// content of a file counts against its owner's quota, whoever puts it there. The error
        /// names the owner when that is not `askedBy`.
        case enforceOwnerQuota(of: FileID, defaultQuota: Int64?, askedBy: String)
    }

    /// The writes, in the order they run.
    public let writes: [Write]

    /// A unit of these writes.
    public init(_ writes: [Write]) {
        self.writes = writes
    }

    /// Whether the unit only removes records, perhaps after checking their version (and so frees
    /// space rather than taking it).
    var onlyDeletes: Bool {
        self.writes.allSatisfy {
            switch $0 {
            case .delete, .requireVersion: true
            default: false
            }
        }
    }
}
