import Storage
import TextBytes

/// A share link as the API shows it: `url` downloads the file without signing in until
/// `expires_at` or until `downloads` reaches `max_downloads` (`null`: no limit).
public struct ShareLinkBody: Codable, Sendable, Equatable {
    /// The link's secret.
    public var token: String
    /// Where it downloads: `/s/{token}`.
    public var url: String
    /// When it stops working, RFC 3339 in UTC.
    public var expiresAt: String
    /// How many downloads it allows, if limited.
    public var maxDownloads: Int?
    /// How many it has served.
    public var downloads: Int

    enum CodingKeys: String, CodingKey {
        case token, url
        case expiresAt = "expires_at"
        case maxDownloads = "max_downloads"
        case downloads
    }

    init(_ link: ShareLink) {
        self.token = link.token
        self.url = "/s/" + link.token
        self.expiresAt = RFC3339.format(microseconds: link.expiresAt)
        self.maxDownloads = link.maxDownloads
        self.downloads = link.downloads
    }

    /// Every key is written, `max_downloads` as `null` when unlimited.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.token, forKey: .token)
        try container.encode(self.url, forKey: .url)
        try container.encode(self.expiresAt, forKey: .expiresAt)
        try container.encode(self.maxDownloads, forKey: .maxDownloads)
        try container.encode(self.downloads, forKey: .downloads)
    }
}

/// `POST /api/files/{id}/links`: `expires_in` seconds (1 s to a year; a week when absent) and an
/// optional `max_downloads` (1 to a million).
public struct ShareLinkRequest: Codable, Sendable, Equatable {
    static let lifetimes = 1...31_536_000
    static let defaultLifetime = 604_800
    static let downloadLimits = 1...1_000_000

    /// Seconds until the link stops working.
    public var expiresIn: Int
    /// How many downloads it allows, if limited.
    public var maxDownloads: Int?

    enum CodingKeys: String, CodingKey {
        case expiresIn = "expires_in"
        case maxDownloads = "max_downloads"
    }
}
