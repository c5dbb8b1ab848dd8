import Glibc

/// `Cache-Control` for static files: paths the site declares immutable (`--immutable GLOB`) and
/// file names that carry a content hash (`app.3f9a1c2b.js`, Vite's `index-BdZ8kV2x.js`) are cached
/// for a year as immutable, other HTML is always revalidated, the rest get a configurable default.
public struct CachePolicy: Sendable {
    /// The value for files that are neither HTML nor immutable.
    public var defaultValue: String
    /// URL-path globs (`/assets/*`) whose files never change in place; `*` also crosses `/`, as
    /// Caddy's path matcher does.
    public var immutablePaths: [String]

    static let immutable = "public, max-age=31536000, immutable"

    /// Creates a policy.
    public init(defaultValue: String = "public, max-age=3600", immutablePaths: [String] = []) {
        self.defaultValue = defaultValue
        self.immutablePaths = immutablePaths
    }

    /// The header value for the file at URL path `path` (as served, below its mount's prefix),
    /// named `fileName`, of `mediaType`.
    public func value(path: String, fileName: String, mediaType: String) -> String {
        if self.immutablePaths.contains(where: { fnmatch($0, path, 0) == 0 }) { return Self.immutable }
        if mediaType == "text/html" || mediaType == "application/xhtml+xml" { return "no-cache" }
        if Self.isFingerprinted(fileName) { return Self.immutable }
        return self.defaultValue
    }

    /// A content hash in the name: a part of 8 or more hex digits between dots (`name.<hash>.ext`)
    /// or after the last `-` (`chunk-5f2a9c1d.js`), holding both digits and letters, so that dates
    /// and ids (`report-20261130.pdf`) are not taken for one; or the 8 base64url characters that
    /// Rollup and Vite put after a `-` (`index-BdZ8kV2x.js`), mixing digits with both cases.
    static func isFingerprinted(_ name: String) -> Bool {
        guard let extensionStart = name.lastIndex(of: ".") else { return false }
        let stem = name[..<extensionStart]
        let dotted = stem.split(separator: ".").dropFirst()
        let dashed = stem.contains("-") ? stem.split(separator: "-").last.map { [$0] } ?? [] : []
        if (dotted + dashed).contains(where: Self.isHexHash) { return true }
        let tail = stem.suffix(9)
        return tail.count == 9 && tail.first == "-" && Self.isBase64URLHash(tail.dropFirst())
    }

    private static func isHexHash(_ part: Substring) -> Bool {
        part.count >= 8 && part.allSatisfy(\.isHexDigit) && part.contains(where: \.isNumber) && part.contains(where: \.isLetter)
    }

    private static func isBase64URLHash(_ part: Substring) -> Bool {
        part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            && part.contains(where: \.isNumber) && part.contains(where: \.isUppercase) && part.contains(where: \.isLowercase)
    }
}
