import Foundation
import GRDB

/// The `files` table's row, as GRDB reads and writes it; column names are the table's.
struct FileRow: Encodable, Equatable, FetchableRecord, PersistableRecord {
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

    /// The `updated_at` of a change made at `time` to a row last changed at `previous`: `time`,
    /// but always later than `previous` (two changes within a microsecond, a clock set back), so
    /// that it tells every version of a record apart.
    static func nextVersion(after previous: Int64, at time: Int64) -> Int64 {
        max(time, previous + 1)
    }

    /// Read by column name, not through `Decodable`: a listing reads a thousand rows, and the
    /// decoder's containers cost more than the reads.
    init(row: Row) throws {
        try self.init(row: row, columns: Columns(row))
    }

    /// Read at the columns' places, found once for all the rows of a statement.
    init(row: Row, columns: Columns) throws {
        self.id = try row.decode(atIndex: columns.id)
        self.owner = try row.decode(atIndex: columns.owner)
        self.name = try row.decode(atIndex: columns.name)
        self.size = try row.decode(atIndex: columns.size)
        self.content_type = try row.decode(atIndex: columns.contentType)
        self.declared_content_type = try row.decode(atIndex: columns.declaredContentType)
        self.sha256 = try row.decode(atIndex: columns.sha256)
        self.description = try row.decode(atIndex: columns.description)
        self.tags = try row.decode(atIndex: columns.tags)
        self.created_at = try row.decode(atIndex: columns.createdAt)
        self.updated_at = try row.decode(atIndex: columns.updatedAt)
    }

    /// Where each column is in a statement's rows. Finding a column by name lower-cases the name
    /// and searches the row's columns: for every column of every row, that was a tenth of a
    /// 1,000-record listing.
    struct Columns {
        let id, owner, name, size, contentType, declaredContentType, sha256, description, tags, createdAt, updatedAt: Int

        init(_ row: Row) throws {
            try self.init(Self.names(row))
        }

        init(_ names: [String]) throws {
            self.id = try Self.index(of: "id", in: names)
            self.owner = try Self.index(of: "owner", in: names)
            self.name = try Self.index(of: "name", in: names)
            self.size = try Self.index(of: "size", in: names)
            self.contentType = try Self.index(of: "content_type", in: names)
            self.declaredContentType = try Self.index(of: "declared_content_type", in: names)
            self.sha256 = try Self.index(of: "sha256", in: names)
            self.description = try Self.index(of: "description", in: names)
            self.tags = try Self.index(of: "tags", in: names)
            self.createdAt = try Self.index(of: "created_at", in: names)
            self.updatedAt = try Self.index(of: "updated_at", in: names)
        }

        /// The row's column names, as the schema and the statement's aliases spell them.
        static func names(_ row: Row) -> [String] {
            Array(row.columnNames)
        }

        static func index(of column: String, in names: [String]) throws -> Int {
            guard let index = names.firstIndex(of: column) else { throw StorageError.malformedRow }
            return index
        }
    }

    /// Tags are stored as a JSON list; one coder of each kind serves every row (both are safe to
    /// share between threads once configured).
    private static let tagsEncoder = JSONEncoder()
    private static let tagsDecoder = JSONDecoder()

    static func encodeTags(_ tags: [String]) -> String {
        String(decoding: (try? Self.tagsEncoder.encode(tags)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// The tags of a stored list, `nil` if it is none.
    ///
    /// The encoder escapes every `"` in a tag with a `\`: in a list without one, every `"` is a
    /// tag's first or last byte, and a list written as the encoder writes it splits at its `","`s.
    /// Any other list (spaces between tags, a `\`) goes to the decoder, whose setup for each row's
    /// short list cost more than a tenth of a 1,000-record listing.
    static func decodeTags(_ text: String) -> [String]? {
        var text = text
        let split: [String]? = text.withUTF8 { bytes in
            guard !bytes.contains(UInt8(ascii: "\\")), bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else { return nil }
            let inner = bytes[1..<(bytes.count - 1)]
            if inner.isEmpty { return [] }
            guard inner.count >= 2, inner.first == UInt8(ascii: "\""), inner.last == UInt8(ascii: "\"") else { return nil }
            var tags: [String] = []
            var tagStart = inner.startIndex + 1
            let end = inner.endIndex - 1
            var index = tagStart
            while index < end {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard index + 2 < end, bytes[index + 1] == UInt8(ascii: ","), bytes[index + 2] == UInt8(ascii: "\"") else { return nil }
                    tags.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[tagStart..<index]), as: UTF8.self))
                    tagStart = index + 3
                    index = tagStart
                default:
                    index += 1
                }
            }
            tags.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[tagStart..<end]), as: UTF8.self))
            return tags
        }
        return split ?? (try? Self.tagsDecoder.decode([String].self, from: Data(text.utf8)))
    }

    func record(integrity: Integrity? = nil) throws -> FileRecord {
        guard let id = FileID(self.id), let digest = BlobDigest(hex: self.sha256),
            let tags = Self.decodeTags(self.tags)
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
    static let selectWithIntegrity = Self.selectWithIntegrity(from: "files")

    /// The same, of `source`: the files table, or a join of other rows to it.
    static func selectWithIntegrity(from source: String) -> String {
        """
        SELECT files.*, blob_integrity.status AS integrity_status, blob_integrity.verified_at AS integrity_verified_at
        FROM \(source) LEFT JOIN blob_integrity ON blob_integrity.sha256 = files.sha256
        """
    }

    /// The columns of rows read with `selectWithIntegrity`.
    struct JoinedColumns {
        let file: Columns
        let integrityStatus, integrityVerifiedAt: Int

        init(_ row: Row) throws {
            let names = Columns.names(row)
            self.file = try Columns(names)
            self.integrityStatus = try Columns.index(of: "integrity_status", in: names)
            self.integrityVerifiedAt = try Columns.index(of: "integrity_verified_at", in: names)
        }
    }

    /// The records of rows read with `selectWithIntegrity`.
    static func records(joined rows: [Row]) throws -> [FileRecord] {
        guard let first = rows.first else { return [] }
        let columns = try JoinedColumns(first)
        return try rows.map { try self.record(joined: $0, columns: columns) }
    }

    /// The record of a row read with `selectWithIntegrity`.
    static func record(joined row: Row, columns: JoinedColumns? = nil) throws -> FileRecord {
        let columns = try columns ?? JoinedColumns(row)
        let integrity: Integrity?
        if let status: String = try row.decode(atIndex: columns.integrityStatus) {
            guard let check = BlobCheck(rawValue: status) else { throw StorageError.malformedRow }
            integrity = Integrity(check, verifiedAt: try row.decode(atIndex: columns.integrityVerifiedAt))
        } else {
            integrity = nil
        }
        return try FileRow(row: row, columns: columns.file).record(integrity: integrity)
    }
}
