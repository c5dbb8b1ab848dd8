/// The SHA-256 of a blob's bytes, which is also its address in a blob store.
public struct BlobDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Lower-case hexadecimal, 64 characters.
    public let hex: String

    /// Accepts exactly 64 lower- or upper-case hexadecimal characters.
    public init?(hex: String) {
        let utf8 = hex.utf8
        guard utf8.count == 64, utf8.allSatisfy({ $0.isHexDigit }) else { return nil }
        self.hex = hex.lowercased()
    }

    /// Builds the hexadecimal form of a raw 32-byte digest.
    public init<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in bytes {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        self.hex = String(decoding: hex, as: UTF8.self)
    }

    public var description: String { self.hex }

    public static func < (lhs: BlobDigest, rhs: BlobDigest) -> Bool { lhs.hex < rhs.hex }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
