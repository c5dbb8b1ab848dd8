internal import CPreallocate
import NIOCore
import TextBytes

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, blocking wrappers over the POSIX file calls the local blob store needs.
///
/// Each retries on EINTR and turns errno into a `StorageError` whose message names the operation,
/// never the path (paths stay in logs through `cause`). Call these on a thread pool, not an event loop.
enum SystemFile {
    struct Errno: Error, CustomStringConvertible {
        let operation: String
        let path: String
        let code: Int32
        var description: String { "\(self.operation) \(self.path): \(String(cString: strerror(self.code)))" }
    }

    static func error(_ operation: String, _ path: String, _ code: Int32 = errno) -> StorageError {
        let cause = Errno(operation: operation, path: path, code: code)
        switch code {
        case ENOSPC, EDQUOT: return StorageError.deviceFull(cause: cause)
        case ENOENT: return StorageError.blobMissing(cause: cause)
        default: return StorageError.fileSystem(operation, cause: cause)
        }
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw error("open", path) }
        }
    }

    static func writeAll(_ fd: Int32, _ buffer: ByteBuffer, path: String) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw error("write", path)
                }
                offset += written
            }
        }
    }

    /// Reads up to `length` bytes at `offset`; returns fewer only at end of file.
    static func read(_ fd: Int32, offset: Int64, length: Int, allocator: ByteBufferAllocator, path: String) throws -> ByteBuffer {
        do {
            return try PositionalRead.read(fd, offset: offset, length: length, allocator: allocator)
        } catch {
            throw self.error("read", path, error.code)
        }
    }

    /// Runs `body` over `length` bytes of `fd` from `offset`, mapped from the page cache rather than
    /// copied out of it (the copy cost a tus upload about 5% of its speed). The file must hold them, or a
    /// later access would fault: one that is shorter is `corrupt`.
    static func withMappedRegion(_ fd: Int32, offset: Int64, length: Int, path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        guard length > 0 else { return }
        guard try self.fileSize(fd, path: path) >= offset + Int64(length) else {
            throw StorageError(.corrupt, "The file \(path) is shorter than the bytes asked of it.")
        }
        // A mapping begins on a page boundary.
        let start = offset - offset % Int64(sysconf(Int32(_SC_PAGESIZE)))
        let mappedLength = Int(offset - start) + length
        guard let mapped = mmap(nil, mappedLength, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, off_t(start)), mapped != MAP_FAILED else {
            throw self.error("map", path)
        }
        defer { munmap(mapped, mappedLength) }
        body(UnsafeRawBufferPointer(start: mapped + Int(offset - start), count: length))
    }

    static func sync(_ fd: Int32, path: String) throws {
        while fsync(fd) != 0 {
            if errno != EINTR { throw error("sync", path) }
        }
    }

    /// Reserves the blocks of `length` bytes at `offset` without changing the file's size (which
    /// keeps telling how many bytes arrived): a device without room for a declared upload says so
    /// before its first byte, and the bytes land in few extents. `false` on a file system that
    /// cannot preallocate: the blocks are then left to the writes.
    static func preallocate(_ fd: Int32, offset: Int64, length: Int64, path: String) throws -> Bool {
        while cpreallocate_keep_size(fd, offset, length) != 0 {
            switch errno {
            case EINTR: continue
            case EOPNOTSUPP, ENOSYS: return false
            default: throw error("preallocate", path)
            }
        }
        return true
    }

    /// Syncs a directory so that a rename or a new entry in it survives a power cut.
    static func syncDirectory(_ path: String) throws {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { Glibc.close(fd) }
        try sync(fd, path: path)
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    static func rename(_ from: String, _ to: String) throws {
        if Glibc.rename(from, to) != 0 { throw error("rename", from) }
    }

    /// Removes a file; a missing file is not an error.
    static func unlink(_ path: String) throws {
        if Glibc.unlink(path) != 0 && errno != ENOENT { throw error("remove", path) }
    }

    /// When the file was last modified, in seconds since 1970 (0 when it cannot be read).
    static func modificationTime(_ path: String) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Int64(info.st_mtim.tv_sec)
    }

    static func removeDirectory(_ path: String) throws {
        if Glibc.rmdir(path) != 0 && errno != ENOENT { throw error("remove", path) }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// The size of an open file (from `lseek`, which needs no `struct stat` member: those can be
    /// attributed to Dispatch's copy of the C headers and refused under MemberImportVisibility).
    static func fileSize(_ fd: Int32, path: String) throws -> Int64 {
        let size = lseek(fd, 0, SEEK_END)
        if size < 0 { throw error("stat", path) }
        return Int64(size)
    }

    /// Creates a directory and any missing parents, syncing each parent that gained an entry.
    static func makeDirectories(_ path: String, sync: Bool) throws {
        if exists(path) { return }
        let parent = parentDirectory(of: path)
        if parent != path { try makeDirectories(parent, sync: sync) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw error("create a directory", path) }
        if sync { try syncDirectory(parent) }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Names of the entries of a directory, without "." and "..".
    static func entries(of path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw error("list a directory", path) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
