/// What a scrub found: every stored content read again and compared with its SHA-256, and blobs
/// no record references removed.
public struct ScrubReport: Sendable, Equatable {
    /// Contents read and compared.
    public var checked = 0
    /// Contents whose bytes no longer hash to their name.
    public var corrupt: [BlobDigest] = []
    /// Contents records point at whose blob is gone.
    public var missing: [BlobDigest] = []
    /// Blobs no record referenced (older than the grace period), now removed.
    public var orphansRemoved = 0

    /// Whether every content was as stored.
    public var isClean: Bool { self.corrupt.isEmpty && self.missing.isEmpty }
}

/// How a stored blob compared with its name.
public enum BlobCheck: String, Sendable, Equatable {
    /// Its bytes hash to its digest.
    case intact
    /// Its bytes hash to something else.
    case corrupt
    /// There is no such blob.
    case missing
}
