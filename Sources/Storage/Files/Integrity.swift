/// What the last scrub found of a content, and when.
public struct Integrity: Sendable, Equatable {
    /// Whether its bytes still hash to its SHA-256, or are gone.
    public var check: BlobCheck
    /// When it was read, in microseconds since 1970 (UTC).
    public var verifiedAt: Int64

    /// What a scrub found at `verifiedAt`.
    public init(_ check: BlobCheck, verifiedAt: Int64) {
        self.check = check
        self.verifiedAt = verifiedAt
    }
}
