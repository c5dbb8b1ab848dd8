import Crypto
import Glibc
import NIOConcurrencyHelpers
import NIOCore

/// Hot small files kept in memory with their validator, as nginx's open_file_cache keeps
/// descriptors: a request for a cached file costs a `stat` and no trip to the thread pool.
///
/// An entry is used only while the file's identity (device, inode, size, mtime, ctime) is
/// unchanged, so an edited file is never served stale. Bounded in total bytes; when full it
/// starts over.
final class SmallFileCache: Sendable {
    /// Files up to this size are cached.
    static let maxFileSize = 256 << 10

    struct Entry: Sendable {
        let identity: ContentHashCache.Identity
        let content: ByteBuffer
        let hash: String
    }

    private let entries = NIOLockedValueBox<(files: [String: Entry], bytes: Int)>(([:], 0))
    private let capacity: Int

    init(capacity: Int = 64 << 20) {
        self.capacity = capacity
    }

    /// The cached content of `path` if it is still the file described by `identity`.
    func lookup(_ path: String, identity: ContentHashCache.Identity) -> Entry? {
        guard let entry = self.entries.withLockedValue({ $0.files[path] }), entry.identity == identity else { return nil }
        return entry
    }

    /// Reads a small file whole from `fd` (the caller's to close), hashes it and keeps it under
    /// `path` (blocking: call on a thread pool).
    func load(_ path: String, identity: ContentHashCache.Identity, descriptor fd: Int32) throws -> Entry {
        var content = ByteBuffer()
        content.reserveCapacity(Int(identity.size))
        while content.readableBytes < Int(identity.size) {
            let wanted = Int(identity.size) - content.readableBytes
            let count = try content.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { bytes in
                let count = read(fd, bytes.baseAddress, wanted)
                if count < 0 && errno != EINTR { throw StaticFileError.unreadable }
                return max(count, 0)
            }
            if count == 0 { throw StaticFileError.unreadable }
        }
        let digest = content.withUnsafeReadableBytes { SHA256.hash(data: $0) }
        let entry = Entry(identity: identity, content: content, hash: ContentHashCache.hex(digest.prefix(16)))
        self.entries.withLockedValue { cache in
            if cache.bytes + content.readableBytes > self.capacity { cache = ([:], 0) }
            cache.bytes += content.readableBytes - (cache.files[path]?.content.readableBytes ?? 0)
            cache.files[path] = entry
        }
        return entry
    }
}
