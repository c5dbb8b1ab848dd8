import Glibc

/// The claim of one process on a storage root (`wharf.pid`, locked with `flock`), as PostgreSQL's
/// postmaster.pid claims its data directory. `wharf serve` holds it for its whole run: it removes
/// the staging files no process writes any more when it starts, and keeps the state of resumable
/// uploads in its memory, so a second server on the same root would remove the first one's uploads
/// in flight. `wharf scrub` holds it too: it removes blobs and records what it finds, which only
/// the locks inside one process keep apart from the uploads that put the same bytes in place. The
/// lock goes with the process, however it ends, so a crash leaves no stale claim behind.
enum RootClaim {
    /// Claims `root` for this process (`command`: what it runs, named to the one refused) until
    /// it exits; `inUse`, naming the holder, while another process holds it, with `fix` for the
    /// person who asked.
    static func claim(root: String, command: String, fix: String) throws {
        let path = root + "/wharf.pid"
        let fd = try SystemFile.open(path, flags: O_RDWR | O_CREAT)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            defer { SystemFile.close(fd) }
            guard code == EWOULDBLOCK else { throw SystemFile.error("flock", path, code) }
            throw StorageError.rootInUse(root, by: Self.holder(fd), fix: fix)
        }
        // The descriptor stays open, and the lock held, for the rest of the process.
        let line = "\(getpid()) \(command)\n"
        if ftruncate(fd, 0) != 0 { throw SystemFile.error("ftruncate", path) }
        guard pwrite(fd, line, line.utf8.count, 0) == line.utf8.count else { throw SystemFile.error("write", path) }
    }

    /// What the holder wrote into the lock file, as `wharf COMMAND (pid N)`, if it has yet.
    private static func holder(_ fd: Int32) -> String? {
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = pread(fd, &bytes, bytes.count, 0)
        guard count > 0 else { return nil }
        let fields = String(decoding: bytes[..<count], as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let pid = Int32(fields[0]) else { return nil }
        return "wharf \(fields[1]) (pid \(pid))"
    }
}
