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
        let (entityTag, lastModified) = Self.validators(of: record)
        let file = FileResponse(
            contentType: record.contentType,
            entityTag: entityTag,
            lastModified: lastModified,
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

    /// Throws 412, with the current `ETag`, when the preconditions of `write` (a request that
    /// would change the file) do not hold for the bytes of `record` as downloads send them.
    static func requirePreconditions(of write: HTTPRequest, on record: FileRecord) throws {
        let (entityTag, lastModified) = Self.validators(of: record)
        guard ConditionalRequest.evaluate(write, entityTag: entityTag, lastModified: lastModified) == .proceed else {
            throw FileResponseError.preconditionFailed(headers: [.eTag: entityTag.headerValue])
        }
    }

    /// A stored file's validators: its SHA-256 as a strong entity tag, its last change in seconds.
    private static func validators(of record: FileRecord) -> (entityTag: EntityTag, lastModified: Int64) {
        (EntityTag(record.digest.hex), record.updatedAt / 1_000_000)
    }
}

extension HTTPField.Name {
    /// Says that the bytes sent are not the ones stored: a scrub found them corrupt.
    static let wharfIntegrity = HTTPField.Name("Wharf-Integrity")!
}
