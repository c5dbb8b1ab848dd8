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
///
/// A file is read and hashed in jobs of `hashedPerJob` bytes: the hash of a file of several GiB,
/// seconds of reading, never holds a thread for longer than one job. A hash a request waits for
/// runs on the thread pool the request's other work shares; one made in the background runs on a
/// thread of its own (`backgroundPool`), so that however many large files are first asked for at
/// once, their hashes take one core and the thread pool stays free for uploads and reads.
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

    /// The most bytes one job reads and hashes: about 3 ms of SHA-256.
    static let hashedPerJob = 4 << 20

    /// The one thread that makes the hashes no request waits for, taking their jobs in turn.
    static let backgroundPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    /// The largest file whose first answers wait for its hash (some 40 ms of reading and hashing
    /// from the page cache). A larger one is answered at once, without an entity tag until its
    /// hash is made (`startedHash`), as nginx would send its first byte without reading the
    /// whole file first; a request that names entity tags waits for it all the same.
    static let awaitedSize: Int64 = 64 << 20

    /// The hashes, by file identity, and the paths of the files being hashed in the background.
    private struct State {
        var entries: [Identity: Entry] = [:]
        var hashedInBackground: Set<String> = []
    }

    private let state = NIOLockedValueBox(State())
    private let capacity: Int
    private let threadPool: NIOThreadPool

    init(capacity: Int = 16384, threadPool: NIOThreadPool = .singleton) {
        self.capacity = capacity
        self.threadPool = threadPool
    }

    /// The validator of the file at `path` in `directory` whose identity is `identity` (32 hex
    /// digits of its SHA-256), once it is made.
    func hash(of path: String, identity: Identity, in directory: MountDirectory) async throws -> String {
        let entry = self.state.withLockedValue { state in
            if let entry = state.entries[identity] { return entry }
            return self.start(path, identity: identity, in: directory, inBackground: false, state: &state)
        }
        switch entry {
        case .known(let hash): return hash
        case .hashing(let task): return try await task.value
        }
    }

    /// The validator of the file if it is known; otherwise its hash is started in the background
    /// and `nil` returned at once. One file path is hashed in the background at a time: a large
    /// file that keeps changing (a log being written) is hashed again once the hash before it
    /// ends, not once for every request.
    func startedHash(of path: String, identity: Identity, in directory: MountDirectory) -> String? {
        self.state.withLockedValue { state in
            switch state.entries[identity] {
            case .known(let hash): return hash
            case .hashing: return nil
            case nil:
                if state.hashedInBackground.insert(path).inserted {
                    _ = self.start(path, identity: identity, in: directory, inBackground: true, state: &state)
                }
                return nil
            }
        }
    }

    /// The validator of a file of this identity if it is already known (no waiting, no reading).
    func knownHash(of identity: Identity) -> String? {
        guard case .known(let hash) = self.state.withLockedValue({ $0.entries[identity] }) else { return nil }
        return hash
    }

    /// Starts hashing the file, on the thread pool or `backgroundPool`, and enters it in `state`:
    /// the hash keeps its result (or forgets its failure) whether or not a request still waits.
    private func start(_ path: String, identity: Identity, in directory: MountDirectory, inBackground: Bool, state: inout State) -> Entry {
        if state.entries.count >= self.capacity { state.entries.removeAll(keepingCapacity: true) }
        let threadPool = inBackground ? Self.backgroundPool : self.threadPool
        // The task takes the lock once it ends, after its entry is stored.
        let hashing = Entry.hashing(
            Task {
                do {
                    let hash = try await Self.digest(path, in: directory, threadPool: threadPool)
                    self.end(path, identity: identity, inBackground: inBackground, hash: hash)
                    return hash
                } catch {
                    self.end(path, identity: identity, inBackground: inBackground, hash: nil)
                    throw error
                }
            }
        )
        state.entries[identity] = hashing
        return hashing
    }

    /// Keeps the hash of `identity` once made, or forgets a failed one (the next request tries
    /// again).
    private func end(_ path: String, identity: Identity, inBackground: Bool, hash: String?) {
        self.state.withLockedValue { state in
            state.entries[identity] = hash.map(Entry.known)
            if inBackground { state.hashedInBackground.remove(path) }
        }
    }

    /// 32 hex digits of the SHA-256 of the file at `path`.
    static func digest(_ path: String, in directory: MountDirectory, threadPool: NIOThreadPool) async throws -> String {
        guard let fd = directory.openForReading(path) else { throw StaticFileError.unreadable }
        defer { close(fd) }
        var hasher = SHA256()
        var isWhole = false
        while !isWhole {
            (hasher, isWhole) = try await threadPool.runIfActive { [hasher] in try Self.extend(hasher, reading: fd) }
        }
        return self.hex(hasher.finalize().prefix(16))
    }

    /// `hasher` carried on with up to `hashedPerJob` bytes read from `fd`, and whether the file
    /// ended (blocking).
    private static func extend(_ hasher: SHA256, reading fd: Int32) throws -> (SHA256, isWhole: Bool) {
        var hasher = hasher
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var hashed = 0
        while hashed < self.hashedPerJob {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw StaticFileError.unreadable }
            if count == 0 { return (hasher, true) }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            hashed += count
        }
        return (hasher, false)
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}

/// A static file could not be read.
