public import Foundation

/// The `Upload-Metadata` header of tus: comma-separated pairs of a key and its base64 value (a
/// key may stand alone). Keys are unique and hold no spaces or commas.
public struct TusMetadata: Sendable, Equatable {
    /// Each key's decoded value (`nil` for a key without one).
    public let values: [String: Data?]

    /// Parses the header; `malformedBody` naming the fault when it does not follow the format.
    public init(parsing header: String) throws(UploadError) {
        var values: [String: Data?] = [:]
        for pair in header.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: false)
            guard let key = parts.first, !key.isEmpty, parts.count <= 2 else {
                throw UploadError(.malformedBody, "Upload-Metadata must be comma-separated pairs of a key and its base64 value.")
            }
            guard values[String(key)] == nil else { throw UploadError(.malformedBody, "Upload-Metadata names '\(key)' twice.") }
            if parts.count == 2 {
                guard let value = Data(base64Encoded: String(parts[1])) else {
                    throw UploadError(.malformedBody, "The Upload-Metadata value of '\(key)' is not base64.")
                }
                values[String(key)] = .some(value)
            } else {
                values[String(key)] = .some(nil)
            }
        }
        self.values = values
    }

    /// The description and tags of the file the upload becomes (`description`, and `tags` as a
    /// comma list, as a form sends them), held to the rules every file's are.
    public func descriptionAndTags() throws(UploadError) -> (description: String, tags: [String]) {
        (try DescriptionRule.validate(self.text("description") ?? ""), try TagRule.tags(fromCommaList: self.text("tags") ?? ""))
    }

    /// The text of the first of `keys` that has a value in UTF-8.
    public func text(_ keys: String...) -> String? {
        for key in keys {
            if case .some(.some(let data)) = self.values[key], let text = String(data: data, encoding: .utf8) { return text }
        }
        return nil
    }
}
