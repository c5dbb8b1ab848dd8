import Routing
import Storage

/// The JSON of a file record, as the API shows it (snake_case, RFC 3339 times).
enum FileRecordJSON {
    static func json(_ record: FileRecord) -> JSONValue {
        .object([
            "id": .string(record.id.rawValue),
            "name": .string(record.name),
            "size": .number(Double(record.size)),
            "content_type": .string(record.contentType),
            "declared_content_type": record.declaredContentType.map { .string($0) } ?? .null,
            "sha256": .string(record.digest.hex),
            "description": .string(record.description),
            "tags": .array(record.tags.map { .string($0) }),
            "created_at": .string(Timestamp.rfc3339(microseconds: record.createdAt)),
            "updated_at": .string(Timestamp.rfc3339(microseconds: record.updatedAt)),
            "download_url": .string(self.downloadURL(record.id)),
        ])
    }

    static func location(_ id: FileID) -> String { "/api/files/\(id.rawValue)" }
    static func downloadURL(_ id: FileID) -> String { "/api/files/\(id.rawValue)/download" }
}
