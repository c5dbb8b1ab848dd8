import FileResponses
import Hummingbird
import Storage

/// How a stored file is sent, for the API's downloads and share links alike: its type, its
/// SHA-256 as a strong ETag, its last change, its name in `Content-Disposition`, and the
/// file-response engine for preconditions, ranges and HEAD.
enum StoredFileResponse {
    static func response(
        to request: Request,
        record: FileRecord,
        reader: any BlobReader,
        disposition: ContentDisposition.Kind,
        maxRanges: Int
    ) async throws -> Response {
        let file = FileResponse(
            contentType: record.contentType,
            entityTag: EntityTag(record.digest.hex),
            lastModified: record.updatedAt / 1_000_000,
            disposition: ContentDisposition.requested(disposition, fileName: record.name, mediaType: record.contentType),
            maxRanges: maxRanges
        )
        return try await file.response(to: request.head, streaming: BlobByteSource(reader: reader))
    }
}
