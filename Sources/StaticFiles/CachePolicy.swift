/// `Cache-Control` for static files: HTML is always revalidated, file names that carry a content
/// hash (`app.3f9a1c2b.js`) are cached for a year as immutable, the rest get a configurable default.
public struct CachePolicy: Sendable {
    /// The value for files that are neither HTML nor fingerprinted.
    public var defaultValue: String

    /// Creates a policy.
    public init(defaultValue: String = "public, max-age=3600") {
        self.defaultValue = defaultValue
    }

    /// The header value for a file name and its media type.
    public func value(fileName: String, mediaType: String) -> String {
        if mediaType == "text/html" || mediaType == "application/xhtml+xml" { return "no-cache" }
        if Self.isFingerprinted(fileName) { return "public, max-age=31536000, immutable" }
        return self.defaultValue
    }

    /// A name part of 8 or more hex digits between dots (`name.<hash>.ext`), or a `-<hash>` suffix
    /// before the extension as bundlers write them (`chunk-5f2a9c1d.js`).
    static func isFingerprinted(_ name: String) -> Bool {
        let parts = name.split(separator: ".")
        guard parts.count >= 3 || parts.first?.contains("-") == true else { return false }
        let candidates = parts.dropFirst().dropLast() + [parts.first?.split(separator: "-").last ?? ""]
        return candidates.contains { part in part.count >= 8 && part.allSatisfy(\.isHexDigit) }
    }
}
