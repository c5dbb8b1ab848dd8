import Foundation
public import MediaTypes
public import NIOCore
public import Storage

/// The upload pipeline: turns a request body into stored files, or into nothing at all.
///
/// Protocol front ends (raw bodies and multipart forms today; tus later) hand it bodies and
/// metadata; it applies the limits, names and content-type rules, stages the bytes, detects
/// their type from the first bytes and commits them through the files service. It knows no
/// routing; every upload is made by a principal, who owns what it creates.
public struct UploadPipeline: Sendable {
    /// Where files are staged and committed.
    public let files: FilesService
    /// Limits for every upload.
    public let limits: UploadLimits
    /// Limits for form uploads.
    public let multipartLimits: MultipartLimits
    /// Content detection.
    public let sniffer: ContentSniffer
    /// When set, only content whose detected type it allows is stored.
    public let allowedTypes: AllowedTypes?

    /// Creates a pipeline over the files service.
    public init(
        files: FilesService,
        limits: UploadLimits,
        multipartLimits: MultipartLimits,
        sniffer: ContentSniffer,
        allowedTypes: AllowedTypes?
    ) {
        self.files = files
        self.limits = limits
        self.multipartLimits = multipartLimits
        self.sniffer = sniffer
        self.allowedTypes = allowedTypes
    }

    /// Stores a raw body as a new file.
    public func createFile<Body: AsyncSequence>(
        from body: Body,
        declaredLength: Int64?,
        declaredType: String?,
        metadata: FileMetadata,
        as principal: Principal
    ) async throws -> FileRecord where Body.Element == ByteBuffer {
        let metadata = FileMetadata(
            name: try FileNameRule.validate(metadata.name),
            description: try DescriptionRule.validate(metadata.description),
            tags: try TagRule.validate(metadata.tags)
        )
        let limits = try await self.limits(for: principal)
        let staged = try await BodyIngest.stage(body, declaredLength: declaredLength, limits: limits, into: self.files)
        return try await self.commit([staged.blob]) {
            let file = try self.newFile(staged, name: metadata.name, declaredType: declaredType, metadata: metadata)
            return try await self.files.create([file], as: principal)[0]
        }
    }

    /// Makes a file of a complete resumable upload (its partial file becomes the blob): the name
    /// the client gave is reduced to a base name as a form's would be, the type detected from the
    /// first bytes, the description and tags held to their rules. A file refused (type, quota)
    /// takes the upload's bytes with it.
    public func createFile(
        fromResumable blob: StagedBlob,
        head: [UInt8],
        clientName: String?,
        declaredType: String?,
        description: String,
        tags: [String],
        as principal: Principal
    ) async throws -> FileRecord {
        let name = UploadedFileName.sanitize(clientName)
        let staged = StagedUpload(blob: blob, head: head)
        let metadata = FileMetadata(name: name, description: try DescriptionRule.validate(description), tags: try TagRule.validate(tags))
        return try await self.commit([staged.blob]) {
            let file = try self.newFile(staged, name: name, declaredType: declaredType, metadata: metadata)
            return try await self.files.create([file], as: principal)[0]
        }
    }

    /// Stores every file of a `multipart/form-data` body; `description` and `tags` (a comma list)
    /// fields apply to all of them. All or nothing.
    public func createFiles<Body: AsyncSequence>(
        fromForm body: Body,
        contentType: String,
        declaredLength: Int64?,
        as principal: Principal
    ) async throws -> [FileRecord] where Body.Element == ByteBuffer {
        let boundary = try MultipartBoundary.parse(contentType: contentType)
        let ingest = MultipartIngest(limits: try await self.limits(for: principal), multipart: self.multipartLimits, files: self.files)
        let form = try await ingest.receive(body, boundary: boundary, declaredLength: declaredLength)
        return try await self.commit(form.files.map(\.upload.blob)) {
            guard !form.files.isEmpty else {
                throw UploadError(.missingFile, "The form has no file part (field 'file' or 'files').")
            }
            let tags = try TagRule.tags(fromCommaList: form.fields["tags"] ?? "")
            let description = try DescriptionRule.validate(form.fields["description"] ?? "")
            let files = try form.files.map { file in
                let metadata = FileMetadata(name: file.name, description: description, tags: tags)
                return try self.newFile(file.upload, name: file.name, declaredType: file.declaredType, metadata: metadata)
            }
            return try await self.files.create(files, as: principal)
        }
    }

    /// Replaces the bytes of an existing file with a raw body; its metadata stays. `precondition`
    /// (a request's `If-Match`, say) judges the file as it is before anything is read.
    public func replaceContent<Body: AsyncSequence>(
        of id: FileID,
        from body: Body,
        declaredLength: Int64?,
        declaredType: String?,
        as principal: Principal,
        precondition: (@Sendable (FileRecord) throws -> Void)? = nil
    ) async throws -> FileRecord where Body.Element == ByteBuffer {
        // A file that is not there, or a precondition that fails, is refused before the body is
        // read; a precondition met holds the content it was met by until the commit.
        let existing = try await self.files.file(id, as: principal)
        try precondition?(existing)
        var limits = self.limits
        limits.quotaLeft = try await self.files.roomForContent(of: existing, as: principal)
        limits.quotaOwner = existing.owner == principal.name ? nil : existing.owner
        let staged = try await BodyIngest.stage(body, declaredLength: declaredLength, limits: limits, into: self.files)
        return try await self.commit([staged.blob]) {
            let file = try self.newFile(staged, name: existing.name, declaredType: declaredType, metadata: FileMetadata(name: existing.name))
            let content = NewContent(staged: file.staged, contentType: file.contentType, declaredContentType: file.declaredContentType)
            return try await self.files.replaceContent(
                of: id,
                with: content,
                as: principal,
                expecting: precondition == nil ? nil : existing.digest
            )
        }
    }

    /// The limits of an upload by `principal`: the server's, and what their quota has left.
    private func limits(for principal: Principal) async throws -> UploadLimits {
        var limits = self.limits
        limits.quotaLeft = try await self.files.remainingQuota(of: principal)
        return limits
    }

    /// Detects the content type and applies the allow-list. The allow-list judges what libmagic
    /// found: content it cannot identify counts as `application/octet-stream`, whatever the claim.
    private func newFile(_ staged: StagedUpload, name: String, declaredType: String?, metadata: FileMetadata) throws -> NewFile {
        let sniffed = self.sniffer.sniff(staged.head)
        let contentType = ContentTypeRule.resolve(sniffed: sniffed, declared: declaredType, fileName: name)
        if let allowedTypes = self.allowedTypes {
            let judged = sniffed == nil ? ContentTypeRule.unknown : contentType
            guard allowedTypes.allows(judged) else {
                throw UploadError(.unsupportedType, "Files of type \(judged) are not accepted here (allowed: \(allowedTypes)).")
            }
        }
        return NewFile(
            staged: staged.blob,
            metadata: metadata,
            contentType: contentType,
            declaredContentType: ContentTypeRule.claim(declared: declaredType)
        )
    }

    /// Runs a commit; if it fails, the staged bytes not yet stored are removed.
    private func commit<T>(_ staged: [StagedBlob], _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            for blob in staged { await self.files.discard(blob) }
            throw error
        }
    }
}
