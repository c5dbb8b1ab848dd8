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
        if name.unicodeScalars.contains(where: Self.isDirectionalFormatting) {
            throw UploadError(.invalidName, "The file name contains a Unicode direction override (U+202A–U+202E, U+2066–U+2069).")
        }
        if bytes.contains(UInt8(ascii: "/")) || bytes.contains(UInt8(ascii: "\\")) {
            throw UploadError(.invalidName, "The file name contains a path separator ('/' or '\\').")
        }
        if name == "." || name == ".." { throw UploadError(.invalidName, "The file name '\(name)' names a directory.") }
        return name
    }

    /// The embeddings, overrides and isolates of Unicode's bidirectional algorithm: in a name
    /// they show `invoice<U+202E>fdp.exe` as `invoiceexe.pdf`, in lists and in the save dialog.
    /// The marks (U+200E, U+200F), which right-to-left names need and which reorder nothing, stay.
    static func isDirectionalFormatting(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }
}
