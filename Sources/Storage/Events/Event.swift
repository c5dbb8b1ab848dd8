/// A change announced to the signed-in users who may see it, kept in the metadata database (the
/// outbox) by the transaction that made the change: replay survives a restart, and a change that
/// was rolled back is never announced.
public struct Event: Sendable, Equatable {
    /// Increasing with each event, never reused (a client resumes after the last one it saw).
    public let id: Int64
    /// What happened.
    public let kind: EventKind
    /// The file it happened to; `nil` for an event of no file (a failed scrub).
    public let fileID: FileID?
    /// The owner of that file, who sees the event (admins see every event); `nil`: admins only.
    public let owner: String?
    /// When, in microseconds since 1970 (UTC).
    public let at: Int64
    /// More about it: a failed job's error.
    public let detail: String?
}

/// What an event announces.
public enum EventKind: String, Sendable, CaseIterable {
    /// A file was created.
    case fileCreated = "file.created"
    /// A file's metadata or content changed.
    case fileUpdated = "file.updated"
    /// A file was deleted.
    case fileDeleted = "file.deleted"
    /// A file's thumbnails were made.
    case thumbnailReady = "thumbnail.ready"
    /// A job about a file (or about the storage) failed for good.
    case jobFailed = "job.failed"
}
