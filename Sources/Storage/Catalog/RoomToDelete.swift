import Glibc

/// A file of 4 MiB kept beside the metadata database and given up when the device is full, so
/// that a delete can still be recorded there: the one way to free space through the API, which a
/// device something else filled would otherwise refuse too (SQLite needs a few pages to record
/// it). It is made again by a later delete once there is room for it.
final class RoomToDelete: Sendable {
    static let size: Int64 = 4 << 20
    private let path: String

    /// The room at `path`, made now if the device has it.
    init(path: String) {
        self.path = path
        self.makeIfMissing()
    }

    /// Makes the file unless it is there; a device without 4 MiB free gets none (yet).
    func makeIfMissing() {
        guard access(self.path, F_OK) != 0 else { return }
        let fd = open(self.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let allocated = posix_fallocate(fd, 0, off_t(Self.size)) == 0
        close(fd)
        if !allocated { unlink(self.path) }
    }

    /// Gives the room up; whether there was any to give.
    func release() -> Bool {
        unlink(self.path) == 0
    }
}
