import FileResponses
import Foundation
import HTTPTypes
import Hummingbird
import Routing
import Storage
import Uploads

/// The files resource: `/api/files` and `/api/files/{id}[/content|/download]`.
struct FilesController: Sendable {
    static let maxDescriptionLength = 4096
    static let maxTags = 64
    static let maxTagLength = 64

    let pipeline: UploadPipeline
    let maxRanges: Int
    var repository: FileRepository { self.pipeline.repository }

    func register(on router: Router<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/api/files", table: table)
            .get("", self.list)
            .post("", self.create)
            .get("{id}", self.read)
            .patch("{id}", self.patch)
            .put("{id}", self.replaceMetadata)
            .delete("{id}", self.delete)
            .put("{id}/content", self.replaceContent)
            .get("{id}/download", self.download)
    }

    /// `POST /api/files`: a `multipart/form-data` form, or a raw streamed body with `?name=`.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/") {
            return try await self.createFromForm(request, contentType: type)
        }
        var query = QueryParameters(request)
        let name = query.requiredString("name", maxLength: 1024)
        let description = query.string("description", maxLength: Self.maxDescriptionLength) ?? ""
        let tags = UploadPipeline.tags(fromCommaList: query.string("tags", maxLength: Self.maxTags * (Self.maxTagLength + 1)) ?? "")
        try query.validate()
        let record = try await self.pipeline.createFile(
            from: request.body,
            declaredLength: Self.declaredLength(request),
            declaredType: request.headers[.contentType],
            metadata: FileMetadata(name: name, description: description, tags: tags)
        )
        return .json(FileRecordJSON.json(record), status: .created, headers: [.location: FileRecordJSON.location(record.id)])
    }

    /// A form upload: every file part becomes a file; 201 with `{"files": [...]}` in part order.
    private func createFromForm(_ request: Request, contentType: String) async throws -> Response {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw HTTPException(.unsupportedMediaType, "Multipart bodies must be multipart/form-data.")
        }
        let records = try await self.pipeline.createFiles(
            fromForm: request.body,
            contentType: contentType,
            declaredLength: Self.declaredLength(request)
        )
        var headers: HTTPFields = [:]
        if records.count == 1 { headers[.location] = FileRecordJSON.location(records[0].id) }
        return .json(.object(["files": .array(records.map(FileRecordJSON.json))]), status: .created, headers: headers)
    }

    /// `GET /api/files`: one page of files, filtered and sorted.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        var query = QueryParameters(request)
        var listing = FileListQuery(limit: query.integer("limit", default: 50, in: 1...1000))
        listing.sort = query.choice("sort", default: FileListQuery.Sort.createdAtDescending)
        listing.nameContains = query.string("q", maxLength: 255)
        listing.contentTypePrefix = query.string("content_type", maxLength: 255)
        if let cursor = query.string("cursor", maxLength: 2048) {
            do {
                listing.after = try FileCursor(encoded: cursor)
                if listing.after?.sort != listing.sort {
                    query.reject("cursor", input: cursor, message: "the cursor belongs to another sort order")
                }
            } catch {
                query.reject("cursor", input: cursor, message: "the cursor is not one this server issued")
            }
        }
        try query.validate()
        let page = try await self.repository.catalog.list(listing)
        return .json(
            .object([
                "items": .array(page.items.map(FileRecordJSON.json)),
                "next_cursor": page.next.map { .string($0.encoded) } ?? .null,
            ])
        )
    }

    /// `GET /api/files/{id}`.
    @Sendable func read(_ request: Request, context: AppRequestContext) async throws -> Response {
        .json(FileRecordJSON.json(try await self.record(context)))
    }

    /// `PATCH /api/files/{id}`: change some of name, description and tags.
    @Sendable func patch(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try Self.fileID(context)
        var body = try await JSONBody.read(request)
        let change = try Self.metadataChange(&body, required: false)
        let record = try await self.repository.catalog.update(id: id, change: change, at: FileRepository.now())
        return .json(FileRecordJSON.json(record))
    }

    /// `PUT /api/files/{id}`: replace the whole metadata object; every field is required.
    @Sendable func replaceMetadata(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try Self.fileID(context)
        var body = try await JSONBody.read(request)
        let change = try Self.metadataChange(&body, required: true)
        let record = try await self.repository.catalog.update(id: id, change: change, at: FileRepository.now())
        return .json(FileRecordJSON.json(record))
    }

    /// `DELETE /api/files/{id}`.
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await self.repository.delete(try Self.fileID(context))
        return Response(status: .noContent)
    }

    /// `PUT /api/files/{id}/content`: replace the bytes with a raw streamed body.
    @Sendable func replaceContent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try await self.pipeline.replaceContent(
            of: try Self.fileID(context),
            from: request.body,
            declaredLength: Self.declaredLength(request),
            declaredType: request.headers[.contentType]
        )
        return .json(FileRecordJSON.json(record))
    }

    /// `GET /api/files/{id}/download[?disposition=inline]`: the bytes, named after the file, with
    /// validators, preconditions and ranges (see `FileResponse`); inline only for safe types.
    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        var query = QueryParameters(request)
        let disposition = query.choice("disposition", default: ContentDisposition.Kind.attachment)
        try query.validate()
        let record = try await self.record(context)
        let reader = try await self.repository.blobs.open(record.digest)
        let file = FileResponse(
            contentType: record.contentType,
            entityTag: EntityTag(record.digest.hex),
            lastModified: record.updatedAt / 1_000_000,
            disposition: ContentDisposition.requested(disposition, fileName: record.name, mediaType: record.contentType),
            maxRanges: self.maxRanges
        )
        return try await file.response(to: request.head, streaming: BlobByteSource(reader: reader))
    }

    private func record(_ context: AppRequestContext) async throws -> FileRecord {
        let id = try Self.fileID(context)
        guard let record = try await self.repository.catalog.file(id: id) else { throw Self.notFound(id.rawValue) }
        return record
    }

    static func fileID(_ context: AppRequestContext) throws -> FileID {
        let text = try context.parameters.decoded("id")
        guard let id = FileID(text) else { throw self.notFound(text) }
        return id
    }

    static func notFound(_ id: String) -> HTTPException {
        HTTPException(.notFound, "No file has the id '\(id)'.")
    }

    static func declaredLength(_ request: Request) -> Int64? {
        request.headers[.contentLength].flatMap { Int64($0) }
    }

    static func metadataChange(_ body: inout JSONBody, required: Bool) throws -> MetadataChange {
        let name = body.string("name", required: required, maxLength: 1024)
        let description = body.string("description", required: required, maxLength: self.maxDescriptionLength)
        let tags = body.strings("tags", required: required, maxCount: self.maxTags, maxLength: self.maxTagLength)
        try body.validate()
        return MetadataChange(name: try name.map { try FileNameRule.validate($0) }, description: description, tags: tags)
    }
}
