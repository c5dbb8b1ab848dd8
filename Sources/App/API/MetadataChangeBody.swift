import Routing
import Storage
import Uploads

/// The JSON body of `PATCH` and `PUT /api/files/{id}`: `name`, `description`, `tags`; every field
/// optional for PATCH and required for PUT, validated with FastAPI's 422 issues.
public struct MetadataChangeBody: Codable, Sendable, Equatable {
    static let maxNameLength = 1024

    /// New name (a base name).
    public var name: String?
    /// New description, at most 4,096 characters.
    public var description: String?
    /// New tags: at most 64, each of 1 to 64 characters (`TagRule`).
    public var tags: [String]?

    /// A body.
    public init(name: String? = nil, description: String? = nil, tags: [String]? = nil) {
        self.name = name
        self.description = description
        self.tags = tags
    }

    /// Reads and validates the body; `required` makes every field required (PUT).
    static func read(_ body: inout JSONBody, required: Bool) throws -> MetadataChangeBody {
        let name = body.string("name", required: required, maxLength: Self.maxNameLength)
        let description = body.string("description", required: required, maxLength: DescriptionRule.maxLength)
        let tags = body.strings("tags", required: required, maxCount: TagRule.maxCount, maxLength: TagRule.maxLength)
        try body.validate()
        return MetadataChangeBody(name: name, description: description, tags: tags)
    }

    /// The change to store; the name must be a valid file name, the tags valid tags.
    func change() throws -> MetadataChange {
        MetadataChange(
            name: try self.name.map { try FileNameRule.validate($0) },
            description: self.description,
            tags: try self.tags.map { try TagRule.validate($0) }
        )
    }
}
