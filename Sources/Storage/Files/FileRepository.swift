import Glibc

/// Files as a whole: a catalog of records over a content-addressed blob store.
///
/// It keeps the two consistent. Records are committed only after their blob is durable; a blob is
/// removed when its last record goes. The check-and-remove of a blob and the store-and-record of an
/// upload with the same digest hold the same lock, so an upload can never record a blob that a
/// concurrent delete is about to remove. (One process owns a local store; a shared backend will
/// need the same guarantee from its database.)
public struct FileRepository: Sendable {
    /// Where bytes live.
    public let blobs: any BlobStore
    /// Where records live.
    public let catalog: any Catalog
    private let locks = KeyedLock<BlobDigest>()

    /// Composes a blob store and a catalog.
    public init(blobs: any BlobStore, catalog: any Catalog) {
        self.blobs = blobs
        self.catalog = catalog
    }

    /// Stores a staged blob and records a new file for it.
    public func create(_ staged: StagedBlob, metadata: FileMetadata, contentType: String) async throws -> FileRecord {
        let now = Self.now()
        let record = FileRecord(
            id: .random(),
            name: metadata.name,
            size: staged.size,
            contentType: contentType,
            digest: staged.digest,
            description: metadata.description,
            tags: metadata.tags,
            createdAt: now,
            updatedAt: now
        )
        try await self.storeAndRecord(staged) { try await self.catalog.insert(record) }
        return record
    }

    /// Points an existing file at new content and releases the old content.
    public func replaceContent(of id: FileID, with staged: StagedBlob, contentType: String) async throws -> FileRecord {
        let change = ContentChange(digest: staged.digest, size: staged.size, contentType: contentType)
        let (record, previous) = try await self.storeAndRecord(staged) {
            try await self.catalog.replaceContent(id: id, with: change, at: Self.now())
        }
        if previous != staged.digest { try await self.release(previous) }
        return record
    }

    /// Removes a file's record, and its blob when no other file shares it.
    @discardableResult
    public func delete(_ id: FileID) async throws -> FileRecord {
        let record = try await self.catalog.delete(id: id)
        try await self.release(record.digest)
        return record
    }

    private func storeAndRecord<T: Sendable>(_ staged: StagedBlob, _ record: @Sendable @escaping () async throws -> T) async throws -> T {
        try await self.locks.withLock(staged.digest) {
            let isNew = try await self.blobs.store(staged)
            do {
                return try await record()
            } catch {
                if isNew { try? await self.blobs.remove(staged.digest) }
                throw error
            }
        }
    }

    private func release(_ digest: BlobDigest) async throws {
        try await self.locks.withLock(digest) {
            if try await self.catalog.referenceCount(of: digest) == 0 {
                try await self.blobs.remove(digest)
            }
        }
    }

    /// Now, in microseconds since 1970 (UTC), the unit of every catalog time.
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }
}
