import Foundation
import GRDB

/// The `files` table's row, as GRDB reads and writes it; column names are the table's.
struct FileRow: Encodable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "files"

    var id: String
    var owner: String
    var name: String
    var size: Int64
    var content_type: String
    var declared_content_type: String?
    var sha256: String
    var description: String
    var tags: String
    var created_at: Int64
    var updated_at: Int64

    init(_ record: FileRecord) {
        self.id = record.id.rawValue
        self.owner = record.owner
        self.name = record.name
        self.size = record.size
        self.content_type = record.contentType
        self.declared_content_type = record.declaredContentType
        self.sha256 = record.digest.hex
        self.description = record.description
        self.tags = Self.encodeTags(record.tags)
        self.created_at = record.createdAt
        self.updated_at = record.updatedAt
    }

    /// Read by column name, not through `Decodable`: a listing reads a thousand rows, and the
    /// decoder's containers cost more than the reads.
    init(row: Row) throws {
        self.id = try row.decode(forColumn: "id")
        self.owner = try row.decode(forColumn: "owner")
        self.name = try row.decode(forColumn: "name")
        self.size = try row.decode(forColumn: "size")
        self.content_type = try row.decode(forColumn: "content_type")
        self.declared_content_type = try row.decode(forColumn: "declared_content_type")
        self.sha256 = try row.decode(forColumn: "sha256")
        self.description = try row.decode(forColumn: "description")
        self.tags = try row.decode(forColumn: "tags")
        self.created_at = try row.decode(forColumn: "created_at")
        self.updated_at = try row.decode(forColumn: "updated_at")
    }

    /// Tags are stored as a JSON list; one coder of each kind serves every row (both are safe to
    /// share between threads once configured).
    private static let tagsEncoder = JSONEncoder()
    private static let tagsDecoder = JSONDecoder()

    static func encodeTags(_ tags: [String]) -> String {
        String(decoding: (try? Self.tagsEncoder.encode(tags)) ?? Data("[]".utf8), as: UTF8.self)
    }

    func record(integrity: Integrity? = nil) throws -> FileRecord {
        guard let id = FileID(self.id), let digest = BlobDigest(hex: self.sha256),
            let tags = try? Self.tagsDecoder.decode([String].self, from: Data(self.tags.utf8))
        else { throw StorageError.malformedRow }
        return FileRecord(
            id: id,
            owner: self.owner,
            name: self.name,
            size: self.size,
            contentType: self.content_type,
            declaredContentType: self.declared_content_type,
            digest: digest,
            description: self.description,
            tags: tags,
            createdAt: self.created_at,
            updatedAt: self.updated_at,
            integrity: integrity
        )
    }
}

extension FileRow {
    /// The columns of a file's row joined with what the last scrub found of its content.
    static let selectWithIntegrity = """
        SELECT files.*, blob_integrity.status AS integrity_status, blob_integrity.verified_at AS integrity_verified_at
        FROM files LEFT JOIN blob_integrity ON blob_integrity.sha256 = files.sha256
        """

    /// The record of a row read with `selectWithIntegrity`.
    static func record(joined row: Row) throws -> FileRecord {
        let integrity: Integrity?
        if let status: String = row["integrity_status"] {
            guard let check = BlobCheck(rawValue: status) else { throw StorageError.malformedRow }
            integrity = Integrity(check, verifiedAt: row["integrity_verified_at"])
        } else {
            integrity = nil
        }
        return try FileRow(row: row).record(integrity: integrity)
    }
}
