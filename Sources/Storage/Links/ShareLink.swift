/// A link that downloads one file without signing in, until it expires, reaches its most
/// downloads, or is revoked (as transfer.sh and Pingvin Share offer).
public struct ShareLink: Sendable, Equatable {
    /// 128 random bits, URL-safe: the link's only secret.
    public var token: String
    /// The file it downloads.
    public var fileID: FileID
    /// When it was made, in microseconds since 1970 (UTC).
    public var createdAt: Int64
    /// When it stops working, in microseconds since 1970 (UTC).
    public var expiresAt: Int64
    /// How many downloads it allows, if limited.
    public var maxDownloads: Int?
    /// How many downloads it has served.
    public var downloads: Int

    /// A link from its fields.
    public init(token: String, fileID: FileID, createdAt: Int64, expiresAt: Int64, maxDownloads: Int?, downloads: Int) {
        self.token = token
        self.fileID = fileID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.maxDownloads = maxDownloads
        self.downloads = downloads
    }
}

extension ShareLink {
    /// Throws `gone` when the link may not serve a download at `time`.
    func checkUsable(at time: Int64) throws {
        if time >= self.expiresAt { throw StorageError.linkExpired }
        if let most = self.maxDownloads, self.downloads >= most { throw StorageError.linkUsedUp(most) }
    }
}
