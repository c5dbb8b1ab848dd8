/// The rule every stored file name obeys: a base name that cannot name a path, without control
/// characters.
public enum FileNameRule {
    /// The longest name, in UTF-8 bytes (the usual file-system limit).
    public static let maxBytes = 255

    /// Returns `name` when it is valid; throws `invalidName` saying why otherwise.
    public static func validate(_ name: String) throws(UploadError) -> String {
        let bytes = name.utf8
        if bytes.isEmpty { throw UploadError(.invalidName, "The file name is empty.") }
        // Spaces alone show as nothing: a list would hold a link no one can see or click.
        if name.allSatisfy(\.isWhitespace) { throw UploadError(.invalidName, "The file name is only spaces.") }
        if bytes.count > self.maxBytes {
            throw UploadError(.invalidName, "The file name is longer than \(self.maxBytes) bytes.")
        }
        if bytes.contains(0) { throw UploadError(.invalidName, "The file name contains a NUL byte.") }
        // What a client form's name loses (`UploadedFileName`): a line break in a name breaks
        // listings, logs and the headers of tools that print it.
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7f }) {
            throw UploadError(.invalidName, "The file name contains a control character (a line break, a tab, ...).")
        }
        if bytes.contains(UInt8(ascii: "/")) || bytes.contains(UInt8(ascii: "\\")) {
            throw UploadError(.invalidName, "The file name contains a path separator ('/' or '\\').")
        }
        if name == "." || name == ".." { throw UploadError(.invalidName, "The file name '\(name)' names a directory.") }
        return name
    }
}
