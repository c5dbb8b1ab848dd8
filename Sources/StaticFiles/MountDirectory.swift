internal import CFileStatus
import Glibc
import NIOConcurrencyHelpers
import NIOCore

/// A mount's root directory, held open, and the one place that decides whether a path lies in it.
///
/// Lookups go through `openat2(2)` with `RESOLVE_BENEATH`: the kernel follows symlinks only while
/// they stay below the root, in one system call, where `realpath(3)` reads every component. A
/// path the kernel refuses to judge that way (an absolute symlink, which may still point inside
/// the root) or a kernel without openat2 falls back to the real path and a prefix check.
///
/// A deploy may replace the directory while Wharf runs (a new one renamed over it, or a
/// `current -> releases/42` symlink switched): at most once a second the configured path is
/// looked at again, and a different directory there is opened and served from then on.
final class MountDirectory: Sendable {
    /// The directory as configured; it may be a symlink.
    private let configuredPath: String
    private let state: NIOLockedValueBox<(root: OpenRoot, checked: NIODeadline)>
    private let recheckInterval: TimeAmount

    /// Opens the directory at `path`; `nil` when it is not an openable directory.
    init?(path: String, recheckInterval: TimeAmount = .seconds(1)) {
        guard let root = OpenRoot(path) else { return nil }
        self.configuredPath = path
        self.state = NIOLockedValueBox((root, .now()))
        self.recheckInterval = recheckInterval
    }

    /// The real path of the root being served.
    var path: String { self.current().realPath }

    /// The status of `path` (absolute, lexically under the root) when it lies inside the root
    /// with symlinks resolved; `nil` when it does not exist or leaves the root.
    func lookup(_ path: String) -> ContainedFile? {
        let root = self.current()
        guard let relative = root.relative(path) else { return nil }
        let descriptor = cfilestatus_open_beneath(root.descriptor, relative, 1)
        if descriptor >= 0 {
            defer { close(descriptor) }
            var status = cfilestatus_t()
            guard cfilestatus_fstat(descriptor, &status) == 0 else { return nil }
            return ContainedFile(path: path, status: FileStatus(status))
        }
        guard Self.needsRealPath(errno), let real = RealPath.resolve(path), RealPath.isContained(real, in: root.realPath) else {
            return nil
        }
        return FileStatus(real).map { ContainedFile(path: real, status: $0) }
    }

    /// Opens `path` for reading under the same rule as `lookup`: a descriptor the caller closes.
    func openForReading(_ path: String) -> Int32? {
        let root = self.current()
        guard let relative = root.relative(path) else { return nil }
        let descriptor = cfilestatus_open_beneath(root.descriptor, relative, 0)
        if descriptor >= 0 { return descriptor }
        guard Self.needsRealPath(errno), let real = RealPath.resolve(path), RealPath.isContained(real, in: root.realPath) else {
            return nil
        }
        let fallback = open(real, O_RDONLY | O_CLOEXEC)
        return fallback >= 0 ? fallback : nil
    }

    /// The open root, replaced when another directory now sits at the configured path.
    private func current() -> OpenRoot {
        let now = NIODeadline.now()
        let (root, checked) = self.state.withLockedValue { ($0.root, $0.checked) }
        if now - checked < self.recheckInterval { return root }
        var status = cfilestatus_t()
        var served = root
        if cfilestatus_stat(self.configuredPath, &status) == 0, status.is_directory != 0,
            UInt64(status.device) != root.device || UInt64(status.inode) != root.inode,
            let replacement = OpenRoot(self.configuredPath)
        {
            served = replacement
        }
        self.state.withLockedValue { $0 = (served, now) }
        return served
    }

    /// EXDEV: a symlink openat2 will not follow below the root (an absolute one); ENOSYS, EPERM:
    /// no openat2 here (an old kernel, a seccomp filter).
    private static func needsRealPath(_ error: Int32) -> Bool {
        error == EXDEV || error == ENOSYS || error == EPERM
    }
}

/// One open root directory; closed when the last lookup using it is done.
private final class OpenRoot: Sendable {
    let descriptor: Int32
    let realPath: String
    let device: UInt64
    let inode: UInt64

    init?(_ path: String) {
        guard let real = RealPath.resolve(path) else { return nil }
        let descriptor = cfilestatus_open_directory(real)
        guard descriptor >= 0 else { return nil }
        var status = cfilestatus_t()
        guard cfilestatus_fstat(descriptor, &status) == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        self.realPath = real
        self.device = UInt64(status.device)
        self.inode = UInt64(status.inode)
    }

    deinit {
        close(self.descriptor)
    }

    /// `path` relative to this root (`.` for the root itself), or `nil` when it is not under it.
    func relative(_ path: String) -> String? {
        if path == self.realPath { return "." }
        let base = self.realPath == "/" ? "/" : self.realPath + "/"
        guard path.hasPrefix(base) else { return nil }
        return String(path.dropFirst(base.count))
    }
}

/// A file found inside a mount: its path (lexical, or real when a symlink had to be resolved)
/// and its status.
struct ContainedFile: Sendable, Equatable {
    let path: String
    let status: FileStatus

    /// The last component of the path: what the media type and the cache policy go by.
    var name: String { String(self.path[self.path.index(after: self.path.lastIndex(of: "/")!)...]) }
}
