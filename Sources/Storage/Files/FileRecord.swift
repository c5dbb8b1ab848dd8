/// What the catalog knows about one stored file.
public struct FileRecord: Sendable, Equatable {
    /// Opaque identifier.
    public var id: FileID
    /// The name of the user who uploaded it.
    public var owner: String
    /// The file's name as given by the uploader (a base name, validated before it gets here).
    public var name: String
    /// Size in bytes.
    public var size: Int64
    /// Media type of the content, as detected from its bytes.
    public var contentType: String
    /// Media type the uploader claimed, if any.
    public var declaredContentType: String?
    /// Address of the content in the blob store.
    public var digest: BlobDigest
    /// Free text.
    public var description: String
    /// Labels, in the order given.
    public var tags: [String]
    /// When the record was created, in microseconds since 1970 (UTC).
    public var createdAt: Int64
    /// When the record or its content last changed, in microseconds since 1970 (UTC).
    public var updatedAt: Int64
    /// What the last scrub found of its content; `nil` when no scrub has read it yet.
    public var integrity: Integrity?

    /// Creates a record from its fields.
    public init(
        id: FileID,
        owner: String,
        name: String,
        size: Int64,
        contentType: String,
        declaredContentType: String? = nil,
        digest: BlobDigest,
        description: String,
        tags: [String],
        createdAt: Int64,
        updatedAt: Int64,
        integrity: Integrity? = nil
    ) {
        self.id = id
        self.owner = owner
        self.name = name
        self.size = size
        self.contentType = contentType
        self.declaredContentType = declaredContentType
        self.digest = digest
        self.description = description
        self.tags = tags
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.integrity = integrity
    }
}

/// The metadata a client may set on a file.
public struct FileMetadata: Sendable, Equatable {
    /// The file's name.
    public var name: String
    /// Free text.
    public var description: String
    /// Labels.
    public var tags: [String]

    /// Creates metadata from its fields.
    public init(name: String, description: String = "", tags: [String] = []) {
        self.name = name
        self.description = description
        self.tags = tags
    }
}

/// A partial change of metadata: `nil` leaves a field as it is.
public struct MetadataChange: Sendable, Equatable {
    /// New name, if any.
    public var name: String?
    /// New description, if any.
    public var description: String?
    /// New tags, if any.
    public var tags: [String]?

    /// Creates a change; omitted fields stay as they are.
    public init(name: String? = nil, description: String? = nil, tags: [String]? = nil) {
        self.name = name
        self.description = description
        self.tags = tags
    }
}

/// New content for an existing file.
public struct ContentChange: Sendable, Equatable {
    /// Address of the new content.
    public var digest: BlobDigest
    /// Its size.
    public var size: Int64
    /// Its detected media type.
    public var contentType: String
    /// The media type the uploader claimed, if any.
    public var declaredContentType: String?

    /// Creates a content change.
    public init(digest: BlobDigest, size: Int64, contentType: String, declaredContentType: String?) {
        self.digest = digest
        self.size = size
        self.contentType = contentType
        self.declaredContentType = declaredContentType
    }
}

/// A file to create: staged bytes, metadata and content types.
public struct NewFile: Sendable {
    /// The finished staged bytes.
    public var staged: StagedBlob
    /// Name, description and tags.
    public var metadata: FileMetadata
    /// Detected media type.
    public var contentType: String
    /// Claimed media type, if any.
    public var declaredContentType: String?

    /// Describes a file to create.
    public init(staged: StagedBlob, metadata: FileMetadata, contentType: String, declaredContentType: String?) {
        self.staged = staged
        self.metadata = metadata
        self.contentType = contentType
        self.declaredContentType = declaredContentType
    }
}

/// New staged content for an existing file, with its content types.
public struct NewContent: Sendable {
    /// The finished staged bytes.
    public var staged: StagedBlob
    /// Detected media type.
    public var contentType: String
    /// Claimed media type, if any.
    public var declaredContentType: String?

    /// Describes new content.
    public init(staged: StagedBlob, contentType: String, declaredContentType: String?) {
        self.staged = staged
        self.contentType = contentType
        self.declaredContentType = declaredContentType
    }
}
