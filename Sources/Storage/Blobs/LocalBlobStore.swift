import Crypto
import Glibc
import NIOCore
import NIOPosix

/// A blob store in a local directory.
///
/// Layout under `root`:
/// - `blobs/ab/cd/<sha256>`: stored blobs, read-only, named by their digest;
/// - `tmp/<random>.part`: staged blobs being written; any found at start-up are left over from a crash;
/// - `renditions/ab/cd/<sha256>/<name>`: files made from a blob (thumbnails), removed with it.
///
/// With `durable` on, a staged blob is fsynced before it is stored, and every directory that gains
/// an entry is fsynced after, so that a blob acknowledged to a client survives a power cut.
struct LocalBlobStore: BlobStore {
    /// The directory that holds `blobs/` and `tmp/`.
    let root: String
    /// Whether data and directory entries are synced to the device.
    let durable: Bool
    let threadPool: NIOThreadPool
    let allocator = ByteBufferAllocator()

    var blobsDirectory: String { self.root + "/blobs" }
    var stagingDirectory: String { self.root + "/tmp" }
    var renditionsDirectory: String { self.root + "/renditions" }

    /// Creates the store's directories when missing.
    init(root: String, durable: Bool, threadPool: NIOThreadPool = .singleton) throws {
        self.root = root
        self.durable = durable
        self.threadPool = threadPool
        try SystemFile.makeDirectories(self.blobsDirectory, sync: durable)
        try SystemFile.makeDirectories(self.stagingDirectory, sync: durable)
    }

    func path(of digest: BlobDigest) -> String {
        let hex = digest.hex
        let first = hex.prefix(2)
        let second = hex.dropFirst(2).prefix(2)
        return "\(self.blobsDirectory)/\(first)/\(second)/\(hex)"
    }

    func stage(expectedSize: Int64?) async throws -> any BlobStaging {
        let path = "\(self.stagingDirectory)/\(Self.randomName()).part"
        let (fd, claimed) = try await self.threadPool.runIfActive {
            let fd = try SystemFile.open(path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
            do {
                return (fd, try SpaceReserve.claim(expectedSize ?? 0, in: fd, at: 0, path: path))
            } catch {
                SystemFile.close(fd)
                try? SystemFile.unlink(path)
                throw error
            }
        }
        return LocalBlobStaging(
            fd: fd,
            path: path,
            durable: self.durable,
            threadPool: self.threadPool,
            allocator: self.allocator,
            roomThrough: claimed
        )
    }

    func store(_ staged: StagedBlob) async throws -> Bool {
        let target = self.path(of: staged.digest)
        return try await self.threadPool.runIfActive {
            if SystemFile.exists(target) {
                try SystemFile.unlink(staged.location)
                return false
            }
            try self.move(staged, to: target)
            return true
        }
    }

    func repair(with staged: StagedBlob) async throws {
        let target = self.path(of: staged.digest)
        // rename(2) replaces the damaged file at once: a reader never sees half of either.
        try await self.threadPool.runIfActive { try self.move(staged, to: target) }
    }

    /// Moves finished staged bytes to their place, read-only, durably when the store is.
    private func move(_ staged: StagedBlob, to target: String) throws {
        let directory = SystemFile.parentDirectory(of: target)
        try SystemFile.makeDirectories(directory, sync: self.durable)
        chmod(staged.location, 0o444)
        try SystemFile.rename(staged.location, target)
        if self.durable { try SystemFile.syncDirectory(directory) }
    }

    func discard(_ staged: StagedBlob) async {
        try? await self.threadPool.runIfActive { try SystemFile.unlink(staged.location) }
    }

    func remove(_ digest: BlobDigest) async throws {
        let target = self.path(of: digest)
        let renditions = self.renditionDirectory(of: digest)
        let durable = self.durable
        try await self.threadPool.runIfActive {
            for name in (try? SystemFile.entries(of: renditions)) ?? [] { try SystemFile.unlink(renditions + "/" + name) }
            if SystemFile.exists(renditions) { try SystemFile.removeDirectory(renditions) }
            try SystemFile.unlink(target)
            if durable { try SystemFile.syncDirectory(SystemFile.parentDirectory(of: target)) }
        }
    }

    func open(_ digest: BlobDigest) async throws -> any BlobReader {
        let path = self.path(of: digest)
        return try await self.threadPool.runIfActive {
            let fd = try SystemFile.open(path, flags: O_RDONLY)
            do {
                let size = try SystemFile.fileSize(fd, path: path)
                return LocalBlobReader(fd: fd, path: path, size: size, threadPool: self.threadPool, allocator: self.allocator)
            } catch {
                SystemFile.close(fd)
                throw error
            }
        }
    }

    func sweepStaging() async throws -> Int {
        let directory = self.stagingDirectory
        return try await self.threadPool.runIfActive {
            let leftovers = try SystemFile.entries(of: directory).filter { $0.hasSuffix(".part") }
            for name in leftovers { try SystemFile.unlink("\(directory)/\(name)") }
            return leftovers.count
        }
    }

    func checkWritable() async throws {
        let path = "\(self.stagingDirectory)/\(Self.randomName()).probe"
        try await self.threadPool.runIfActive {
            let fd = try SystemFile.open(path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
            SystemFile.close(fd)
            try SystemFile.unlink(path)
        }
    }

    /// Whether a blob is there and its bytes still match its digest. It is read and hashed in jobs
    /// of `checkedPerJob` bytes: checking a blob of many GiB never holds a thread of the pool,
    /// which the uploads' writes share, for longer than one job.
    func check(_ digest: BlobDigest) async throws -> BlobCheck {
        let path = self.path(of: digest)
        let opened = try await self.threadPool.runIfActive { () throws -> Int32? in
            guard SystemFile.exists(path) else { return nil }
            return try SystemFile.open(path, flags: O_RDONLY)
        }
        guard let fd = opened else { return .missing }
        defer { SystemFile.close(fd) }
        var hasher = SHA256()
        var offset: Int64 = 0
        var isWhole = false
        while !isWhole {
            (hasher, offset, isWhole) = try await self.threadPool.runIfActive { [hasher, offset] in
                var (hasher, offset) = (hasher, offset)
                let end = offset + Self.checkedPerJob
                while offset < end {
                    let chunk = try SystemFile.read(fd, offset: offset, length: 1 << 20, allocator: self.allocator, path: path)
                    if chunk.readableBytes == 0 { return (hasher, offset, true) }
                    chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                    offset += Int64(chunk.readableBytes)
                }
                return (hasher, offset, false)
            }
        }
        return BlobDigest(bytes: hasher.finalize()) == digest ? .intact : .corrupt
    }

    /// The most bytes one job of a check reads and hashes: about 3 ms of SHA-256.
    static let checkedPerJob: Int64 = 4 << 20

    func storedBlobs() async throws -> [(digest: BlobDigest, age: Int64)] {
        let root = self.blobsDirectory
        return try await self.threadPool.runIfActive {
            let now = Int64(time(nil))
            var blobs: [(digest: BlobDigest, age: Int64)] = []
            for first in try SystemFile.entries(of: root) {
                for second in try SystemFile.entries(of: root + "/" + first) {
                    let directory = root + "/" + first + "/" + second
                    for name in try SystemFile.entries(of: directory) {
                        guard let digest = BlobDigest(hex: name) else { continue }
                        blobs.append((digest, now - SystemFile.modificationTime(directory + "/" + name)))
                    }
                }
            }
            return blobs
        }
    }

    func localPath(of digest: BlobDigest) -> String? {
        self.path(of: digest)
    }

    func renditionDirectory(of digest: BlobDigest) -> String {
        let hex = digest.hex
        return "\(self.renditionsDirectory)/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
    }

    func rendition(of digest: BlobDigest, named name: String) -> String? {
        let path = self.renditionDirectory(of: digest) + "/" + name
        return SystemFile.exists(path) ? path : nil
    }

    func renditionStagingPath() -> String {
        "\(self.stagingDirectory)/\(Self.randomName()).part"
    }

    func storeRendition(_ staged: String, of digest: BlobDigest, named name: String) async throws {
        let directory = self.renditionDirectory(of: digest)
        let durable = self.durable
        try await self.threadPool.runIfActive {
            try SystemFile.makeDirectories(directory, sync: durable)
            try SystemFile.rename(staged, directory + "/" + name)
            if durable { try SystemFile.syncDirectory(directory) }
        }
    }

    func contains(_ digest: BlobDigest) -> Bool {
        SystemFile.exists(self.path(of: digest))
    }

    /// Names of the staged blobs present now (used by tests and consistency checks).
    func stagedNames() throws -> [String] {
        try SystemFile.entries(of: self.stagingDirectory)
    }

    static func randomName() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined(separator: "-")
    }
}
