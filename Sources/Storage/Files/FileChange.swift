/// A change to the catalog that a unit of work committed, as the post-commit hook hears of it.
public enum FileChange: Sendable, Equatable {
    /// A new file.
    case created(FileRecord)
    /// A file's metadata or content changed; `before` is the record as it was.
    case updated(FileRecord, before: FileRecord)
    /// A file was removed.
    case deleted(FileRecord)
    /// A change asked for left the file as it was (its own name given again, say): nothing was
    /// written or announced, and its version stays.
    case unchanged(FileRecord)

    /// The record as it is after the change (as it was, for a deletion).
    public var record: FileRecord {
        switch self {
        case .created(let record), .updated(let record, _), .deleted(let record), .unchanged(let record): record
        }
    }
}
