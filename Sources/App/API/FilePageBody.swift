public import Routing

/// `GET /api/files`: one page of records and the cursor of the next (`null` on the last page).
public struct FilePageBody: Codable, Sendable, Equatable {
    /// The records of this page.
    public var items: [FileRecordBody]
    /// Pass as `cursor` to get the next page.
    public var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    /// A page.
    public init(items: [FileRecordBody], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// `next_cursor` is always written, `null` on the last page.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.items, forKey: .items)
        try container.encode(self.nextCursor, forKey: .nextCursor)
    }
}

extension FilePageBody: JSONWritable {
    /// The keys in sorted order, as `encode(to:)` writes them through `JSONCoding`.
    public func writeJSON(to output: inout JSONOutput) {
        output.beginObject()
        output.key("items")
        output.beginList()
        for item in self.items {
            output.element()
            item.writeJSON(to: &output)
        }
        output.endList()
        output.key("next_cursor")
        output.string(self.nextCursor)
        output.endObject()
    }
}
