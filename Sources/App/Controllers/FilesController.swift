import FileResponses
import Foundation
import HTTPTypes
import Hummingbird
import Routing
import Storage
import Uploads

/// The files resource: `/api/files` and `/api/files/{id}[/content|/download]`.
struct FilesController: Sendable {
    let pipeline: UploadPipeline
    let maxRanges: Int
    /// Whether a content a scrub found corrupt is still sent (marked as such) rather than refused.
    let serveCorrupt: Bool
    let views: ThumbnailViews
    var files: FilesService { self.pipeline.files }

    func register(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/api/files", table: table)
            .get("", self.list)
            .post("", self.create)
            .put("", self.createRaw)
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
            return try await self.createFromForm(request, contentType: type, context: context)
        }
        return try await self.createRaw(request, context: context)
    }

    /// `PUT /api/files?name=` (what `curl -T` sends) and `POST` of a body that is not a form: the
    /// raw body becomes a file.
    @Sendable func createRaw(_ request: Request, context: AppRequestContext) async throws -> Response {
        var query = QueryParameters(request)
        let name = query.requiredString("name", maxLength: MetadataChangeBody.maxNameLength)
        let description = query.string("description", maxLength: DescriptionRule.maxLength) ?? ""
        let tagList = query.string("tags", maxLength: TagRule.maxCount * (TagRule.maxLength + 1)) ?? ""
        try query.validate()
        // Before the body is read: refused tags keep nothing.
        let tags = try TagRule.tags(fromCommaList: tagList)
        let record = try await self.pipeline.createFile(
            from: request.body,
            declaredLength: Self.declaredLength(request),
            declaredType: request.headers[.contentType],
            metadata: FileMetadata(name: name, description: description, tags: tags),
            as: try context.principal
        )
        return .json(try await self.views.record(record), status: .created, headers: [.location: FileRecordBody.location(record.id)])
    }

    /// A form upload: every file part becomes a file; 201 with `{"files": [...]}` in part order.
    private func createFromForm(_ request: Request, contentType: String, context: AppRequestContext) async throws -> Response {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw HTTPException(.unsupportedMediaType, "Multipart bodies must be multipart/form-data.")
        }
        let records = try await self.pipeline.createFiles(
            fromForm: request.body,
            contentType: contentType,
            declaredLength: Self.declaredLength(request),
            as: try context.principal
        )
        // A browser that posts the plain form (no script) goes back to the list, as after any form.
        if request.headers[.accept]?.contains("text/html") == true {
            return Response(status: .seeOther, headers: [.location: "/"])
        }
        var headers: HTTPFields = [:]
        if records.count == 1 { headers[.location] = FileRecordBody.location(records[0].id) }
        return .json(FormUploadBody(files: try await self.views.records(records)), status: .created, headers: headers)
    }

    /// `GET /api/files`: one page of files, filtered and sorted.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        var query = QueryParameters(request)
        var listing = FileListQuery(limit: query.integer("limit", default: 50, in: 1...1000))
        listing.sort = query.choice("sort", default: FileListQuery.Sort.createdAtDescending)
        listing.nameContains = query.string("q", maxLength: 255)
        listing.contentTypePrefix = query.string("content_type", maxLength: 255)
        // Trimmed, as stored tags are; empty, as a form's empty field sends it, is no filter (as an
        // empty `q` finds every name).
        listing.tag = query.string("tag", maxLength: TagRule.maxLength).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap {
            $0.isEmpty ? nil : $0
        }
        listing.ownedBy = query.string("owner", maxLength: 64).flatMap { $0.isEmpty ? nil : $0 }
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
        let page = try await self.files.list(listing, as: try context.principal)
        return .json(FilePageBody(items: try await self.views.records(page.items), nextCursor: page.next?.encoded))
    }

    /// `GET /api/files/{id}`: the record under its `ETag`; 304 to an `If-None-Match` naming it.
    @Sendable func read(_ request: Request, context: AppRequestContext) async throws -> Response {
        let answer = RecordAnswer(try await self.views.record(try await self.files.file(try Self.fileID(context), as: try context.principal)))
        switch ConditionalRequest.evaluate(request.head, entityTag: answer.entityTag, lastModified: nil) {
        case .proceed: return answer.response()
        case .notModified: return Response(status: .notModified, headers: [.eTag: answer.entityTag.headerValue])
        case .preconditionFailed: throw FileResponseError.preconditionFailed(headers: [.eTag: answer.entityTag.headerValue])
        }
    }

    /// `PATCH /api/files/{id}`: change some of name, description and tags.
    @Sendable func patch(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await self.updateMetadata(request, context: context, required: false)
    }

    /// `PUT /api/files/{id}`: replace the whole metadata object; every field is required.
    @Sendable func replaceMetadata(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await self.updateMetadata(request, context: context, required: true)
    }

    private func updateMetadata(_ request: Request, context: AppRequestContext, required: Bool) async throws -> Response {
        let id = try Self.fileID(context)
        var body = try await JSONBody.read(request)
        let change = try MetadataChangeBody.read(&body, required: required).change()
        let version = try await self.judgedVersion(of: id, request, context: context)
        let record = try await self.files.updateMetadata(of: id, change, as: try context.principal, expecting: version)
        return RecordAnswer(try await self.views.record(record)).response()
    }

    /// `DELETE /api/files/{id}`.
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try Self.fileID(context)
        try await self.files.delete(id, as: try context.principal, expecting: try await self.judgedVersion(of: id, request, context: context))
        return Response(status: .noContent)
    }

    /// The version (`updatedAt`) of file `id` that the preconditions of a write to its record
    /// (`If-Match` naming the record's `ETag`, `If-None-Match`, `If-Unmodified-Since`) were judged
    /// on, which the write then requires at its commit; `nil` when it names none. 412 with the
    /// current `ETag` when they do not hold.
    private func judgedVersion(of id: FileID, _ request: Request, context: AppRequestContext) async throws -> Int64? {
        guard Self.namesPreconditions(request.head) else { return nil }
        let record = try await self.files.file(id, as: try context.principal)
        let tag = RecordAnswer(try await self.views.record(record)).entityTag
        guard ConditionalRequest.evaluate(request.head, entityTag: tag, lastModified: record.updatedAt / 1_000_000) == .proceed else {
            throw FileResponseError.preconditionFailed(headers: [.eTag: tag.headerValue])
        }
        return record.updatedAt
    }

    /// `PUT /api/files/{id}/content`: replace the bytes with a raw streamed body. `If-Match`,
    /// `If-None-Match` and `If-Unmodified-Since` are judged against the content it replaces, as its
    /// download's `ETag` and `Last-Modified` show it, before the body is read (412 otherwise), and
    /// a content met by them must still be there when the new one is committed.
    @Sendable func replaceContent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let head = request.head
        var precondition: (@Sendable (FileRecord) throws -> Void)?
        if Self.namesPreconditions(head) { precondition = { existing in try StoredFileResponse.requirePreconditions(of: head, on: existing) } }
        let record = try await self.pipeline.replaceContent(
            of: try Self.fileID(context),
            from: request.body,
            declaredLength: Self.declaredLength(request),
            declaredType: request.headers[.contentType],
            as: try context.principal,
            precondition: precondition
        )
        return .json(try await self.views.record(record))
    }

    /// Whether a write names a precondition (`If-Modified-Since` is for reads only).
    static func namesPreconditions(_ head: HTTPRequest) -> Bool {
        [.ifMatch, .ifNoneMatch, .ifUnmodifiedSince].contains { head.headerFields[$0] != nil }
    }

    /// `GET /api/files/{id}/download[?disposition=inline]`: the bytes, named after the file, with
    /// validators, preconditions and ranges (see `FileResponse`); inline only for safe types.
    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        var query = QueryParameters(request)
        let disposition = query.choice("disposition", default: ContentDisposition.Kind.attachment)
        try query.validate()
        let (record, reader) = try await self.files.openContent(
            of: try Self.fileID(context),
            as: try context.principal,
            servingCorrupt: self.serveCorrupt
        )
        return try await StoredFileResponse.response(to: request, record: record, reader: reader, disposition: disposition, maxRanges: self.maxRanges)
    }

    /// The `{id}` of the path; an id Wharf never issues names no file.
    static func fileID(_ context: AppRequestContext) throws -> FileID {
        let text = try context.parameters.decoded("id")
        guard let id = FileID(text) else { throw StorageError.fileNotFound(text) }
        return id
    }

    static func declaredLength(_ request: Request) -> Int64? {
        request.headers[.contentLength].flatMap { Int64($0) }
    }
}
