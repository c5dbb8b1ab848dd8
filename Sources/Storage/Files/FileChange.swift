/// A change to the catalog that a unit of work committed, as the post-commit hook hears of it.
public enum FileChange: Sendable, Equatable {
    /// A new file.
    case created(FileRecord)
    /// A file's metadata or content changed; `before` is the record as it was.
    case updated(FileRecord, before: FileRecord)
    /// A file was removed.
    case deleted(FileRecord)

    /// The record as it is after the change (as it was, for a deletion).
    public var record: FileRecord {
        switch self {
        case .created(let record), .updated(let record, _), .deleted(let record): record
        }
    }
}
