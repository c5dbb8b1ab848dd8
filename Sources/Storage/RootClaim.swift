import Foundation
import Glibc

/// The claim of one `wharf serve` on a storage root (`serve.pid`, locked with `flock`), as
/// PostgreSQL's postmaster.pid claims its data directory. The server removes staging files that
/// no process writes any more when it starts, and keeps the state of the resumable uploads in
/// its memory: a second server on the same root would remove the first one's uploads in flight
/// and interleave their pieces. The lock goes with the process, however it ends, so a crash
/// leaves no stale claim behind.
enum ServingLock {
    /// Claims `root` for this process until it exits, writing its pid into the lock file;
    /// `inUse`, naming the holder's pid where it wrote one, while another process holds it.
    static func claim(root: String) throws {
        let path = root + "/serve.pid"
        let fd = try SystemFile.open(path, flags: O_RDWR | O_CREAT, mode: 0o644)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            defer { SystemFile.close(fd) }
            guard code == EWOULDBLOCK else { throw SystemFile.error("flock", path, code) }
            throw StorageError.rootServed(root, by: Self.holder(fd))
        }
        // The descriptor stays open, and the lock held, for the rest of the process.
        let pid = "\(getpid())\n"
        if ftruncate(fd, 0) != 0 { throw SystemFile.error("ftruncate", path) }
        guard pwrite(fd, pid, pid.utf8.count, 0) == pid.utf8.count else { throw SystemFile.error("write", path) }
    }

    /// The pid the holder wrote into the lock file, if it has yet.
    private static func holder(_ fd: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &bytes, bytes.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
