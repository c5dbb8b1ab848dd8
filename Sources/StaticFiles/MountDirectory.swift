internal import CFileStatus
import Glibc

/// A mount's root directory, held open, and the one place that decides whether a path lies in it.
///
/// Lookups go through `openat2(2)` with `RESOLVE_BENEATH`: the kernel follows symlinks only while
/// they stay below the root, in one system call, where `realpath(3)` reads every component. A
/// path the kernel refuses to judge that way (an absolute symlink, which may still point inside
/// the root) or a kernel without openat2 falls back to the real path and a prefix check.
final class MountDirectory: Sendable {
    /// The real path of the root.
    let path: String
    private let descriptor: Int32

    /// Opens the directory at `realPath`; `nil` when it is not an openable directory.
    init?(realPath: String) {
        let descriptor = cfilestatus_open_directory(realPath)
        guard descriptor >= 0 else { return nil }
        self.path = realPath
        self.descriptor = descriptor
    }

    deinit {
        close(self.descriptor)
    }

    /// The status of `path` (absolute, lexically under the root) when it lies inside the root
    /// with symlinks resolved; `nil` when it does not exist or leaves the root.
    func lookup(_ path: String) -> ContainedFile? {
        guard let relative = self.relative(path) else { return nil }
        let descriptor = cfilestatus_open_beneath(self.descriptor, relative, 1)
        if descriptor >= 0 {
            defer { close(descriptor) }
            var status = cfilestatus_t()
            guard cfilestatus_fstat(descriptor, &status) == 0 else { return nil }
            return ContainedFile(path: path, status: FileStatus(status))
        }
        guard Self.needsRealPath(errno), let real = RealPath.resolve(path), RealPath.isContained(real, in: self.path) else { return nil }
        return FileStatus(real).map { ContainedFile(path: real, status: $0) }
    }

    /// Opens `path` for reading under the same rule as `lookup`: a descriptor the caller closes.
    func openForReading(_ path: String) -> Int32? {
        guard let relative = self.relative(path) else { return nil }
        let descriptor = cfilestatus_open_beneath(self.descriptor, relative, 0)
        if descriptor >= 0 { return descriptor }
        guard Self.needsRealPath(errno), let real = RealPath.resolve(path), RealPath.isContained(real, in: self.path) else { return nil }
        let fallback = open(real, O_RDONLY | O_CLOEXEC)
        return fallback >= 0 ? fallback : nil
    }

    private func relative(_ path: String) -> String? {
        if path == self.path { return "." }
        let base = self.path == "/" ? "/" : self.path + "/"
        guard path.hasPrefix(base) else { return nil }
        return String(path.dropFirst(base.count))
    }

    /// EXDEV: a symlink openat2 will not follow below the root (an absolute one); ENOSYS, EPERM:
    /// no openat2 here (an old kernel, a seccomp filter).
    private static func needsRealPath(_ error: Int32) -> Bool {
        error == EXDEV || error == ENOSYS || error == EPERM
    }
}

/// A file found inside a mount: its path (lexical, or real when a symlink had to be resolved)
/// and its status.
struct ContainedFile: Sendable, Equatable {
    let path: String
    let status: FileStatus
}
