import FileResponses
import HTTPTypes
import Hummingbird
import Storage
import TextBytes

/// How a stored file is sent, for the API's downloads and share links alike: its type, its
/// SHA-256 as a strong ETag, its last change, its name in `Content-Disposition`, and the
/// file-response engine for preconditions, ranges and HEAD. Bytes a scrub found corrupt (sent
/// only when `--serve-corrupt` asks for it) say so in `Wharf-Integrity` and are never cached.
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
        var response = try await file.response(to: request.head, streaming: BlobByteSource(reader: reader))
        if let integrity = record.integrity, integrity.check == .corrupt {
            response.headers[.wharfIntegrity] = "corrupt; verified-at=" + RFC3339.format(microseconds: integrity.verifiedAt)
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

extension HTTPField.Name {
    /// Says that the bytes sent are not the ones stored: a scrub found them corrupt.
    static let wharfIntegrity = HTTPField.Name("Wharf-Integrity")!
}
