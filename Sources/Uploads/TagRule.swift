import Foundation

/// The rule every stored list of tags obeys, whichever way it came (a form's or a query's comma
/// list, a JSON list): each tag trimmed of spaces, 1 to 64 characters, without a comma (which
/// separates tags in forms and queries, so such a tag could not be sent back as it is) or a
/// control character; each tag once, its case ignored (as a listing's `tag` filter ignores it,
/// the first spelling kept); at most 64 tags.
public enum TagRule {
    /// The most tags a file may carry.
    public static let maxCount = 64
    /// The longest tag, in characters.
    public static let maxLength = 64

    /// The tags of a comma list (a form's or a query's `tags`): empty items are dropped.
    public static func tags(fromCommaList list: String) throws(UploadError) -> [String] {
        try self.validate(list.split(separator: ",").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
    }

    /// Returns `tags` trimmed and without repeats when they are valid; throws `invalidTags` saying
    /// why otherwise.
    public static func validate(_ tags: [String]) throws(UploadError) -> [String] {
        var kept: [String] = []
        var seen: Set<String> = []
        for given in tags {
            let tag = given.trimmingCharacters(in: .whitespaces)
            if tag.isEmpty { throw UploadError(.invalidTags, "A tag is empty or only spaces.") }
            if tag.count > self.maxLength { throw UploadError(.invalidTags, "The tag '\(tag)' is longer than \(self.maxLength) characters.") }
            if tag.contains(",") {
                throw UploadError(.invalidTags, "The tag '\(tag)' contains a comma, which separates tags in forms and queries.")
            }
            if tag.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
                throw UploadError(.invalidTags, "A tag contains a control character (a line break, a tab, ...).")
            }
            // Swift compares strings by canonical equivalence: `é` composed or not is one tag.
            if seen.insert(tag.lowercased()).inserted { kept.append(tag) }
        }
        if kept.count > self.maxCount { throw UploadError(.invalidTags, "There are more than \(self.maxCount) tags.") }
        return kept
    }
}
