import TextBytes

/// The SHA-256 of a blob's bytes, which is also its address in a blob store.
public struct BlobDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Lower-case hexadecimal, 64 characters.
    public let hex: String

    /// Accepts exactly 64 lower- or upper-case hexadecimal characters.
    public init?(hex: String) {
        let utf8 = hex.utf8
        guard utf8.count == 64, Hex.isDigits(utf8) else { return nil }
        // Digests read back from the catalog are lower-case already; `lowercased()` maps Unicode
        // case, a cost a listing paid a thousand times.
        self.hex = utf8.contains { (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) } ? hex.lowercased() : hex
    }

    /// Builds the hexadecimal form of a raw 32-byte digest.
    public init<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        self.hex = Hex.lowercase(bytes)
    }

    public var description: String { self.hex }

    public static func < (lhs: BlobDigest, rhs: BlobDigest) -> Bool { lhs.hex < rhs.hex }
}
