public import Routing

/// Where a file's thumbnails stand, on its record: `status` is `ready` (every size made),
/// `pending` (its job waits or runs), `failed` (the job gave up; the thumbnail URL says why) or
/// `none` (the file is no image); `sizes` maps each size made to its URL.
public struct ThumbnailsBody: Codable, Sendable, Equatable {
    /// `ready`, `pending`, `failed` or `none`.
    public let status: String
    /// Long edge (as text, a JSON key) to URL, for every size made.
    public let sizes: [String: String]

    /// A status and the URLs of the sizes made.
    public init(status: String, sizes: [String: String]) {
        self.status = status
        self.sizes = sizes
    }
}

extension ThumbnailsBody: JSONWritable {
    /// The keys in sorted order, as the synthesized `encode(to:)` writes them through `JSONCoding`
    /// (the sizes' keys too, compared byte by byte: "1024" before "256").
    public func writeJSON(to output: inout JSONOutput) {
        output.beginObject()
        output.key("sizes")
        output.beginObject()
        for (size, url) in self.sizes.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            output.key(size)
            output.string(url)
        }
        output.endObject()
        output.key("status")
        output.string(self.status)
        output.endObject()
    }
}
