public import Routing
public import Storage
import TextBytes

/// A file record as the API shows it: snake_case keys, RFC 3339 times in UTC, `null` for a
/// missing declared type or verification time.
public struct FileRecordBody: Codable, Sendable, Equatable {
    /// 22 URL-safe characters, random.
    public var id: String
    /// The name of the user who uploaded it.
    public var owner: String
    /// The file's name.
    public var name: String
    /// Size in bytes.
    public var size: Int64
    /// Detected media type.
    public var contentType: String
    /// The uploader's claim, if any.
    public var declaredContentType: String?
    /// SHA-256 of the content, lower-case hex.
    public var sha256: String
    /// Free text.
    public var description: String
    /// Labels, in the order given.
    public var tags: [String]
    /// When the file was created.
    public var createdAt: String
    /// When its metadata or content last changed.
    public var updatedAt: String
    /// Where its bytes are.
    public var downloadURL: String
    /// What the last scrub found of its content: `ok`, `corrupt`, `missing`, or `unverified`
    /// before any scrub read it.
    public var integrity: String
    /// When a scrub last read its content; `nil` before any did.
    public var verifiedAt: String?
    /// Where its thumbnails stand (on the API's records; `nil` where they were not looked up).
    public var thumbnails: ThumbnailsBody?

    enum CodingKeys: String, CodingKey {
        case id, owner, name, size
        case contentType = "content_type"
        case declaredContentType = "declared_content_type"
        case sha256, description, tags
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case downloadURL = "download_url"
        case integrity
        case verifiedAt = "verified_at"
        case thumbnails
    }

    /// The API's view of a record; `thumbnails` where they were looked up.
    public init(_ record: FileRecord, thumbnails: ThumbnailsBody? = nil) {
        self.id = record.id.rawValue
        self.owner = record.owner
        self.name = record.name
        self.size = record.size
        self.contentType = record.contentType
        self.declaredContentType = record.declaredContentType
        self.sha256 = record.digest.hex
        self.description = record.description
        self.tags = record.tags
        self.createdAt = RFC3339.format(microseconds: record.createdAt)
        self.updatedAt = RFC3339.format(microseconds: record.updatedAt)
        self.downloadURL = Self.location(record.id) + "/download"
        switch record.integrity?.check {
        case .intact: self.integrity = "ok"
        case .corrupt: self.integrity = "corrupt"
        case .missing: self.integrity = "missing"
        case nil: self.integrity = "unverified"
        }
        self.verifiedAt = record.integrity.map { RFC3339.format(microseconds: $0.verifiedAt) }
        self.thumbnails = thumbnails
    }

    /// Every key is written, `declared_content_type` as `null` when absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.owner, forKey: .owner)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.size, forKey: .size)
        try container.encode(self.contentType, forKey: .contentType)
        try container.encode(self.declaredContentType, forKey: .declaredContentType)
        try container.encode(self.sha256, forKey: .sha256)
        try container.encode(self.description, forKey: .description)
        try container.encode(self.tags, forKey: .tags)
        try container.encode(self.createdAt, forKey: .createdAt)
        try container.encode(self.updatedAt, forKey: .updatedAt)
        try container.encode(self.downloadURL, forKey: .downloadURL)
        try container.encode(self.integrity, forKey: .integrity)
        try container.encode(self.verifiedAt, forKey: .verifiedAt)
        try container.encodeIfPresent(self.thumbnails, forKey: .thumbnails)
    }

    /// The URL of a file's record.
    static func location(_ id: FileID) -> String { "/api/files/\(id.rawValue)" }
}

extension FileRecordBody: JSONWritable {
    /// The keys in sorted order, as `encode(to:)` writes them through `JSONCoding`.
    public func writeJSON(to output: inout JSONOutput) {
        output.beginObject()
        output.key("content_type")
        output.string(self.contentType)
        output.key("created_at")
        output.string(self.createdAt)
        output.key("declared_content_type")
        output.string(self.declaredContentType)
        output.key("description")
        output.string(self.description)
        output.key("download_url")
        output.string(self.downloadURL)
        output.key("id")
        output.string(self.id)
        output.key("integrity")
        output.string(self.integrity)
        output.key("name")
        output.string(self.name)
        output.key("owner")
        output.string(self.owner)
        output.key("sha256")
        output.string(self.sha256)
        output.key("size")
        output.integer(self.size)
        output.key("tags")
        output.strings(self.tags)
        if let thumbnails = self.thumbnails {
            output.key("thumbnails")
            thumbnails.writeJSON(to: &output)
        }
        output.key("updated_at")
        output.string(self.updatedAt)
        output.key("verified_at")
        output.string(self.verifiedAt)
        output.endObject()
    }
}
