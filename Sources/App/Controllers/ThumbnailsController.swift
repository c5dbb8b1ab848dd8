import FileResponses
import Glibc
import HTTPTypes
import Hummingbird
import Routing
import Storage
import Thumbnails

/// `GET /api/files/{id}/thumbnail?size=`: a thumbnail through the file-response engine once it is
/// made; 202 while its job waits or runs; 404 with the reason when it failed or the file is no
/// image.
struct ThumbnailsController: Sendable {
    let files: FilesService
    let jobs: JobQueue
    let sizes: [Int]

    func register(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/api/files", table: table).get("{id}/thumbnail", self.thumbnail)
    }

    @Sendable func thumbnail(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try await self.files.file(try FilesController.fileID(context), as: try context.principal)
        var query = QueryParameters(request)
        let size = query.integer("size", default: self.sizes[0], in: 1...100_000)
        if !self.sizes.contains(size) {
            query.reject("size", input: "\(size)", message: "size must be one of \(self.sizes.map(String.init).joined(separator: ", "))")
        }
        try query.validate()
        guard ThumbnailJob.wants(record.contentType) else {
            throw HTTPException(.notFound, ThumbnailJob.unthumbnailedDetail)
        }
        if let path = self.files.rendition(of: record.digest, named: Thumbnailer.renditionName(size: size)) {
            return try await Self.send(path, request: request, entityTag: "\(record.digest.hex)-\(size)")
        }
        let job = try await self.jobs.latest(kind: ThumbnailJob.kind, subject: record.digest.hex)
        switch job?.status {
        case .queued, .running:
            return .json(ErrorBody(detail: .message("thumbnail pending")), status: .accepted, headers: [.retryAfter: "1"])
        case .failed:
            throw HTTPException(.notFound, "The thumbnail could not be made: \(job?.lastError ?? "unknown")")
        case .done, nil:
            throw HTTPException(.notFound, "No thumbnail of this size has been made for this file.")
        }
    }

    /// A made thumbnail: immutable for its blob and size, so its ETag names both.
    static func send(_ path: String, request: Request, entityTag: String) async throws -> Response {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw HTTPException(.notFound, "No thumbnail of this size has been made for this file.") }
        let size = Int64(lseek(descriptor, 0, SEEK_END))
        let file = FileResponse(contentType: "image/webp", entityTag: EntityTag(entityTag), lastModified: nil, disposition: nil)
        var response = try await file.response(to: request.head, streaming: LocalFileSource(descriptor: descriptor, size: size))
        response.headers[.cacheControl] = "private, max-age=86400"
        return response
    }
}
