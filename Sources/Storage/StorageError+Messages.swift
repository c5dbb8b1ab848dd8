import TextBytes

/// Every message of the storage layer, written once.
extension StorageError {
    /// No record has this id (or the id is not one Wharf issues).
    public static func fileNotFound(_ id: String) -> StorageError {
        StorageError(.notFound, "No file has the id '\(id)'.")
    }

    /// The content of a file changed after a request's precondition was checked against it.
    static let contentChanged = StorageError(
        .changed,
        "The file's content was replaced by another request while this one was sent; fetch it again and decide anew."
    )

    /// A file's record changed after a request's precondition was checked against it.
    static let recordChanged = StorageError(
        .changed,
        "The file was changed by another request while this one was sent; fetch it again and decide anew."
    )

    /// No user has this name.
    public static func userNotFound(_ name: String) -> StorageError {
        StorageError(.notFound, "No user is named '\(name)'.")
    }

    /// The name is taken.
    static func userExists(_ name: String) -> StorageError {
        StorageError(.alreadyExists, "A user named '\(name)' already exists.")
    }

    /// A user to be deleted was named as the one to give their files to.
    static func heirIsTheUser(_ name: String) -> StorageError {
        StorageError(.conflict, "The files of '\(name)' cannot go to '\(name)', who is being deleted: name another user.")
    }

    /// A change of role would leave no admin.
    static func lastAdmin(_ name: String) -> StorageError {
        StorageError(.conflict, "'\(name)' is the only admin: make another user an admin first.")
    }

    /// A user to be deleted still owns files.
    static func userOwnsFiles(_ name: String, count: Int) -> StorageError {
        StorageError(
            .inUse,
            "'\(name)' still owns \(count) file\(count == 1 ? "" : "s"): give them to another user (--transfer-to NAME) or delete them first."
        )
    }

    /// A commit would take the user's files past their quota; `owner` names the file's owner when
    /// that is not the one who asked.
    public static func quotaExceeded(quota: Int64, usage: Int64, of owner: String? = nil) -> StorageError {
        StorageError(.quotaExceeded, "The upload would pass \(Self.quotaName(of: owner)) of \(quota) bytes (\(usage) bytes would be used).")
    }

    /// Whose quota an upload would pass, as its errors say it: the file owner's when `owner` is
    /// set (not the one who asked), else the asker's own.
    public static func quotaName(of owner: String?) -> String {
        owner.map { "the storage quota of the file's owner '\($0)'" } ?? "your storage quota"
    }

    /// No job has this id.
    static func jobNotFound(_ id: Int64) -> StorageError {
        StorageError(.notFound, "No job has the id \(id).")
    }

    /// No live session has this id.
    static let sessionNotFound = StorageError(.notFound, "No session has this id.")

    /// No share link has this token (or it was revoked).
    static let linkNotFound = StorageError(.notFound, "No share link has this token.")

    /// The link's time is up.
    static let linkExpired = StorageError(.gone, "The share link has expired.")

    /// The link served all the downloads it allows.
    static func linkUsedUp(_ most: Int) -> StorageError {
        StorageError(.gone, "The share link has served its \(most) download\(most == 1 ? "" : "s").")
    }

    /// A cursor of one sort order was passed with another.
    static func cursorOfOtherSort(_ sort: FileListQuery.Sort) -> StorageError {
        StorageError(.invalidCursor, "The cursor belongs to the sort order \(sort.rawValue).")
    }

    /// A cursor that does not decode.
    static let foreignCursor = StorageError(.invalidCursor, "The cursor is not one this server issued.")

    /// A content a scrub found corrupt.
    static func contentCorrupt(checkedAt time: Int64) -> StorageError {
        StorageError(
            .corrupt,
            "The stored bytes of this file are corrupt: they no longer match its SHA-256 (found by a scrub at \(RFC3339.format(seconds: time / 1_000_000))). Restore it from a backup or upload it again."
        )
    }

    /// A content whose blob a scrub found gone.
    static func contentMissing(checkedAt time: Int64) -> StorageError {
        StorageError(
            .corrupt,
            "The stored bytes of this file are missing (found by a scrub at \(RFC3339.format(seconds: time / 1_000_000))). Restore it from a backup or upload it again."
        )
    }

    /// A catalog row that does not decode.
    static let malformedRow = StorageError(.corrupt, "A catalog row is malformed.")

    static func deviceFull(cause: any Error) -> StorageError {
        StorageError(.noSpace, "The storage device is full.", cause: cause)
    }

    static func reserveReached(_ reserve: Int64) -> StorageError {
        StorageError(.noSpace, "The storage device is full: uploads leave its last \(reserve >> 10) KiB free, so that files can still be deleted.")
    }

    static func blobMissing(cause: any Error) -> StorageError {
        StorageError(.notFound, "The stored bytes are missing.", cause: cause)
    }

    static func fileSystem(_ operation: String, cause: any Error) -> StorageError {
        StorageError(.io, "The storage failed to \(operation).", cause: cause)
    }

    static func database(_ failure: String, cause: any Error) -> StorageError {
        StorageError(.database, "The metadata database \(failure).", cause: cause)
    }

    static func databaseBusy(cause: any Error) -> StorageError {
        StorageError(.busy, "The metadata database is held by another process; nothing was changed: try again shortly.", cause: cause)
    }

    /// The storage root cannot be used at all; said at start-up, so it names the directory and the fix.
    static func unusableRoot(_ root: String, cause: any Error) -> StorageError {
        StorageError(
            .io,
            "The storage root '\(root)' cannot be used (\(cause)). Create it, make it writable, or pass --storage DIR (WHARF_STORAGE).",
            cause: nil
        )
    }

    /// A write committed for a user whose account was deleted meanwhile (perhaps added again).
    static func accountGone(_ name: String) -> StorageError {
        StorageError(.accountGone, "The account '\(name)' no longer exists: nothing was stored for it.")
    }

    /// A root that another process claimed (`RootClaim`), said at start-up.
    static func rootInUse(_ root: String, by holder: String?, fix: String) -> StorageError {
        StorageError(.inUse, "The storage root '\(root)' is in use by \(holder ?? "another wharf process"). \(fix)", cause: nil)
    }

    /// `wharf files` on a directory that holds no Wharf storage.
    static func noStorage(_ root: String) -> StorageError {
        StorageError(.notFound, "No Wharf storage at '\(root)' (no wharf.sqlite). Pass --storage DIR (WHARF_STORAGE).")
    }
}

/// The messages of resumable uploads.
extension StorageError {
    /// No upload has this id (or it was removed).
    static let uploadNotFound = StorageError(.notFound, "No such upload.")
    /// An upload that was not finished in time.
    static let uploadExpired = StorageError(.gone, "The upload expired before it was finished; start it again.")
    /// Another request is appending to the upload.
    static let uploadLocked = StorageError(.locked, "Another request is sending bytes to this upload; wait for it to end.")

    /// A piece sent for the wrong place.
    static func offsetConflict(expected: Int64, given: Int64) -> StorageError {
        StorageError(.conflict, "Upload-Offset is \(given), but the upload holds \(expected) bytes: ask with HEAD and send from there.")
    }

    /// A piece longer than what is left of the upload.
    static func pieceTooLarge(limit: Int64) -> StorageError {
        StorageError(
            .quotaExceeded,
            "The piece is longer than the \(limit) bytes it may carry (what the upload, the quota and one request have room for)."
        )
    }

    /// A piece whose checksum does not match.
    static func checksumMismatch(_ algorithm: String) -> StorageError {
        StorageError(.checksumMismatch, "The piece does not match its \(algorithm) checksum; it was dropped: send it again.")
    }
}
