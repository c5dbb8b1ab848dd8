import TextBytes

/// The SHA-256 of a blob's bytes, which is also its address in a blob store.
public struct BlobDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Lower-case hexadecimal, 64 characters.
    public let hex: String

    /// Accepts exactly 64 lower- or upper-case hexadecimal characters.
    public init?(hex: String) {
        let utf8 = hex.utf8
        guard utf8.count == 64, Hex.isDigits(utf8) else { return nil }
        self.hex = hex.lowercased()
    }

    /// Builds the hexadecimal form of a raw 32-byte digest.
    public init<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        self.hex = Hex.lowercase(bytes)
    }

    public var description: String { self.hex }

    public static func < (lhs: BlobDigest, rhs: BlobDigest) -> Bool { lhs.hex < rhs.hex }
}
