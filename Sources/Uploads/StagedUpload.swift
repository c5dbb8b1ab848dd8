public import Storage

/// An upload whose bytes are staged: the staged blob and its first bytes, kept for sniffing.
public struct StagedUpload: Sendable {
    /// The finished staged blob.
    public var blob: StagedBlob
    /// The first bytes of the content (at most `ContentSniffer.sampleSize`).
    public var head: [UInt8]
}
