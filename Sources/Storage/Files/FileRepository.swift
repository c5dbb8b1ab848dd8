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

    /// Stores staged blobs and records a new file for each, all or none: if any blob cannot be
    /// stored or the records cannot be committed, the blobs this call stored are removed again.
    public func create(_ files: [NewFile]) async throws -> [FileRecord] {
        let now = Self.now()
        let records = files.map { file in
            FileRecord(
                id: .random(),
                name: file.metadata.name,
                size: file.staged.size,
                contentType: file.contentType,
                declaredContentType: file.declaredContentType,
                digest: file.staged.digest,
                description: file.metadata.description,
                tags: file.metadata.tags,
                createdAt: now,
                updatedAt: now
            )
        }
        try await self.storeAndRecord(files.map(\.staged)) { try await self.catalog.insert(records) }
        return records
    }

    /// Points an existing file at new content and releases the old content.
    public func replaceContent(of id: FileID, with staged: StagedBlob, contentType: String, declaredContentType: String?) async throws -> FileRecord {
        let change = ContentChange(digest: staged.digest, size: staged.size, contentType: contentType, declaredContentType: declaredContentType)
        let (record, previous) = try await self.storeAndRecord([staged]) {
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

    private func storeAndRecord<T: Sendable>(_ staged: [StagedBlob], _ record: @Sendable @escaping () async throws -> T) async throws -> T {
        try await self.locks.withLocks(staged.map(\.digest)) {
            var stored: [BlobDigest] = []
            do {
                for blob in staged {
                    if try await self.blobs.store(blob) { stored.append(blob.digest) }
                }
                return try await record()
            } catch {
                for digest in stored { try? await self.blobs.remove(digest) }
                throw error
            }
        }
    }

    private func release(_ digest: BlobDigest) async throws {
        try await self.locks.withLocks([digest]) {
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
