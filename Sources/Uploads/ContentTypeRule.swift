import MediaTypes

/// Decides the content type recorded for an upload.
///
/// A specific type the client declared wins; a generic or missing one (`application/octet-stream`,
/// form encodings) falls back to the file name's extension, then to `application/octet-stream`.
public enum ContentTypeRule {
    /// The fallback for unknown content.
    public static let unknown = "application/octet-stream"

    /// The recorded type for a declared `Content-Type` header value and a file name.
    public static func resolve(declared: String?, fileName: String) -> String {
        if let declared = declared.flatMap(Self.essence), !Self.isGeneric(declared) {
            return declared
        }
        return MediaTypeTable.type(forFileName: fileName) ?? Self.unknown
    }

    /// `type/subtype` in lower case without parameters, or `nil` when the value is not a media type.
    static func essence(_ value: String) -> String? {
        let essence = Self.trimmed(value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0])
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(Self.isTokenByte) }) else { return nil }
        return essence.lowercased()
    }

    static func isGeneric(_ type: String) -> Bool {
        type == Self.unknown || type == "application/x-www-form-urlencoded" || type == "binary/octet-stream"
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    static func trimmed(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return text[first...last]
    }
}
