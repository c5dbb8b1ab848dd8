import MediaTypes
import TextBytes

/// Decides the content type recorded for an upload.
///
/// What libmagic detects from the first bytes wins: a client's claim cannot turn an executable
/// into an image. Where libmagic has no opinion, the client's specific claim is kept, then the
/// file name's extension, then `application/octet-stream`. One refinement: libmagic calls every
/// text `text/plain`, so a textual claim (`text/css`, `application/json`, ...) is kept over it.
public enum ContentTypeRule {
    /// The fallback for unknown content.
    public static let unknown = "application/octet-stream"

    /// The recorded type, from libmagic's answer, the declared `Content-Type` and the file name.
    public static func resolve(sniffed: String?, declared: String?, fileName: String) -> String {
        let claim = self.claim(declared: declared) ?? MediaTypeTable.type(forFileName: fileName)
        guard let sniffed else { return claim ?? self.unknown }
        if sniffed == "text/plain", let claim, self.isTextual(claim) { return claim }
        return sniffed
    }

    /// The declared type when it is a specific media type (not a generic one), normalized.
    public static func claim(declared: String?) -> String? {
        guard let essence = declared.flatMap(self.essence), !self.isGeneric(essence) else { return nil }
        return essence
    }

    static func isTextual(_ type: String) -> Bool {
        type.hasPrefix("text/") || type.hasSuffix("+json") || type.hasSuffix("+xml")
            || ["application/json", "application/javascript", "application/xml", "application/yaml", "application/toml", "application/sql"]
                .contains(type)
    }

    /// `type/subtype` in lower case without parameters, or `nil` when the value is not a media type.
    static func essence(_ value: String) -> String? {
        let essence = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmingHTTPWhitespace()
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
}
