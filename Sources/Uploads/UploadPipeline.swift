public import NIOCore
public import Storage

/// The upload pipeline: turns a request body into a stored file, or into nothing at all.
///
/// Protocol front ends (raw bodies today; multipart and tus later) hand it bodies and metadata;
/// it applies the limits, names and content-type rules, stages the bytes and commits them
/// through the repository. It knows no HTTP routing.
public struct UploadPipeline: Sendable {
    /// Where files are committed.
    public let repository: FileRepository
    /// Limits for every upload.
    public let limits: UploadLimits

    /// Creates a pipeline over a repository.
    public init(repository: FileRepository, limits: UploadLimits) {
        self.repository = repository
        self.limits = limits
    }

    /// Stores a raw body as a new file.
    public func createFile<Body: AsyncSequence>(
        from body: Body,
        declaredLength: Int64?,
        declaredType: String?,
        metadata: FileMetadata
    ) async throws -> FileRecord where Body.Element == ByteBuffer {
        let metadata = FileMetadata(name: try FileNameRule.validate(metadata.name), description: metadata.description, tags: metadata.tags)
        let staged = try await BodyIngest.stage(body, declaredLength: declaredLength, limits: self.limits, into: self.repository.blobs)
        let contentType = ContentTypeRule.resolve(declared: declaredType, fileName: metadata.name)
        return try await self.commit(staged) { try await self.repository.create(staged, metadata: metadata, contentType: contentType) }
    }

    /// Replaces the bytes of an existing file with a raw body; its metadata stays.
    public func replaceContent<Body: AsyncSequence>(
        of id: FileID,
        from body: Body,
        declaredLength: Int64?,
        declaredType: String?
    ) async throws -> FileRecord where Body.Element == ByteBuffer {
        guard let existing = try await self.repository.catalog.file(id: id) else {
            throw StorageError(.notFound, "No file has the id \(id).")
        }
        let staged = try await BodyIngest.stage(body, declaredLength: declaredLength, limits: self.limits, into: self.repository.blobs)
        let contentType = ContentTypeRule.resolve(declared: declaredType, fileName: existing.name)
        return try await self.commit(staged) { try await self.repository.replaceContent(of: id, with: staged, contentType: contentType) }
    }

    /// Runs a commit; if it fails before the blob was stored, the staged bytes are removed.
    private func commit(_ staged: StagedBlob, _ body: () async throws -> FileRecord) async throws -> FileRecord {
        do {
            return try await body()
        } catch {
            await self.repository.blobs.discard(staged)
            throw error
        }
    }
}
