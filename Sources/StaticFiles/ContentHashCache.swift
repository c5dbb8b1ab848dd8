import Crypto
import Glibc
import NIOConcurrencyHelpers
import NIOPosix

/// Strong validators of static files: a hash of the content, computed once per file identity.
///
/// The identity is device, inode, size, mtime and ctime: ctime changes on every write even when a
/// build tool resets mtime, so two builds with zeroed mtimes never share a validator (caddy#5734),
/// and an unchanged file is never read twice, even by requests that arrive together while it is
/// being hashed. The cache is bounded; when full it starts over.
final class ContentHashCache: Sendable {
    struct Identity: Hashable {
        let device: UInt64
        let inode: UInt64
        let size: Int64
        let modified: Int64
        let changed: Int64
    }

    private enum Entry {
        case known(String)
        case hashing(Task<String, any Error>)
    }

    private let entries = NIOLockedValueBox<[Identity: Entry]>([:])
    private let capacity: Int
    private let threadPool: NIOThreadPool

    init(capacity: Int = 16384, threadPool: NIOThreadPool = .singleton) {
        self.capacity = capacity
        self.threadPool = threadPool
    }

    /// The validator of the file at `path` in `directory` whose identity is `identity` (32 hex
    /// digits of its SHA-256).
    func hash(of path: String, identity: Identity, in directory: MountDirectory) async throws -> String {
        let threadPool = self.threadPool
        let entry = self.entries.withLockedValue { entries in
            if let entry = entries[identity] { return entry }
            if entries.count >= self.capacity { entries.removeAll(keepingCapacity: true) }
            let hashing = Entry.hashing(Task { try await threadPool.runIfActive { try Self.digest(path, in: directory) } })
            entries[identity] = hashing
            return hashing
        }
        switch entry {
        case .known(let hash):
            return hash
        case .hashing(let task):
            do {
                let hash = try await task.value
                self.entries.withLockedValue { $0[identity] = .known(hash) }
                return hash
            } catch {
                self.entries.withLockedValue { $0[identity] = nil }
                throw error
            }
        }
    }

    /// The validator of a file of this identity if it is already known (no waiting, no reading).
    func knownHash(of identity: Identity) -> String? {
        guard case .known(let hash) = self.entries.withLockedValue({ $0[identity] }) else { return nil }
        return hash
    }

    static func digest(_ path: String, in directory: MountDirectory) throws -> String {
        guard let fd = directory.openForReading(path) else { throw StaticFileError.unreadable }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw StaticFileError.unreadable }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
        return self.hex(hasher.finalize().prefix(16))
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}

/// A static file could not be read.
