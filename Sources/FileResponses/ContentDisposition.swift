/// A `Content-Disposition` header value per RFC 6266: an ASCII `filename` fallback for old
/// clients next to `filename*=UTF-8''...` (RFC 5987 / RFC 8187) carrying the exact name.
public struct ContentDisposition: Sendable, Equatable {
    /// Whether the browser should show the file or save it.
    public enum Kind: String, Sendable, CaseIterable {
        case inline
        case attachment
    }

    /// Show or save.
    public var kind: Kind
    /// The file's name.
    public var fileName: String

    /// Creates a disposition.
    public init(_ kind: Kind, fileName: String) {
        self.kind = kind
        self.fileName = fileName
    }

    /// Media types a browser shows without running anything (tusd's list): raster images, audio,
    /// video, plain text and PDF. Everything else (HTML, SVG, XHTML, XML, JavaScript, ...) could run
    /// script in the site's origin, so it is always an attachment.
    public static let inlineSafeTypes: Set<String> = [
        "image/png", "image/jpeg", "image/gif", "image/apng", "image/webp", "image/avif", "image/bmp",
        "video/mp4", "video/webm", "video/ogg", "audio/mpeg", "audio/mp4", "audio/ogg", "audio/webm", "audio/wav", "audio/flac",
        "text/plain", "application/pdf",
    ]

    /// `inline` when asked for and the type is safe to show, `attachment` otherwise.
    public static func requested(_ kind: Kind, fileName: String, mediaType: String) -> ContentDisposition {
        let safe = Self.inlineSafeTypes.contains(mediaType)
        return ContentDisposition(kind == .inline && safe ? .inline : .attachment, fileName: fileName)
    }

    /// The header value.
    public var headerValue: String {
        let fallback = Self.asciiFallback(self.fileName)
        var value = "\(self.kind.rawValue); filename=\"\(fallback)\""
        if fallback != self.fileName {
            value += "; filename*=UTF-8''" + Self.percentEncode(self.fileName)
        }
        return value
    }

    /// The name with every byte that is not printable ASCII, and every quote or backslash,
    /// replaced by `_`, so it is safe inside a quoted-string; and every `%`, which Chromium
    /// decodes in a bare `filename` (so the exact name then goes in `filename*`).
    static func asciiFallback(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value < 0x7f && scalar != "\"" && scalar != "\\" && scalar != "%" {
                result.unicodeScalars.append(scalar)
            } else {
                result.append("_")
            }
        }
        return result
    }

    /// RFC 8187 `value-chars`: attr-char stays, every other byte is `%XX`.
    static func percentEncode(_ name: String) -> String {
        let attrChars = Set("!#$&+-.^_`|~".utf8)
        var result = ""
        for byte in name.utf8 {
            let isAlphanumeric =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            if isAlphanumeric || attrChars.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
