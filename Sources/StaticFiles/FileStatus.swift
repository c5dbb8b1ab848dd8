internal import CFileStatus

/// What `stat(2)` says of a file (symlinks followed), read through the CFileStatus shim.
struct FileStatus: Sendable, Equatable {
    /// Device, inode, size, mtime and ctime.
    let identity: ContentHashCache.Identity
    /// A regular file.
    let isRegular: Bool
    /// A directory.
    let isDirectory: Bool

    /// Size in bytes.
    var size: Int64 { self.identity.size }
    /// Last modification, in seconds since 1970.
    var modifiedSeconds: Int64 { self.identity.modified / 1_000_000_000 }

    /// The status of `path`, or `nil` when it cannot be read.
    init?(_ path: String) {
        var status = cfilestatus_t()
        guard cfilestatus_stat(path, &status) == 0 else { return nil }
        self.init(status)
    }

    /// The status of the open file `descriptor`, or `nil` when it cannot be read.
    init?(descriptor: Int32) {
        var status = cfilestatus_t()
        guard cfilestatus_fstat(descriptor, &status) == 0 else { return nil }
        self.init(status)
    }

    init(_ status: cfilestatus_t) {
        self.identity = ContentHashCache.Identity(
            device: UInt64(status.device),
            inode: UInt64(status.inode),
            size: Int64(status.size),
            modified: Int64(status.modified_ns),
            changed: Int64(status.changed_ns)
        )
        self.isRegular = status.is_regular != 0
        self.isDirectory = status.is_directory != 0
    }
}
