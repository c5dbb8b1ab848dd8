import Foundation

/// A size in bytes written as people write it: `1048576`, `512KiB`, `5GiB`, `10GB`, `1.5MB`.
///
/// Binary units (KiB, MiB, GiB, TiB) are powers of 1024, decimal ones (kB/KB, MB, GB, TB) powers
/// of 1000; `K`, `M`, `G`, `T` alone are binary, as nginx reads them.
public struct ByteSize: Sendable, Equatable, CustomStringConvertible {
    /// The number of bytes.
    public let bytes: Int64

    /// Wraps a number of bytes.
    public init(bytes: Int64) { self.bytes = bytes }

    /// Parses a size; `nil` for anything malformed, negative or over `Int64.max`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        guard !digits.isEmpty, let value = Double(digits), value >= 0, let multiplier = Self.multipliers[unit] else { return nil }
        let bytes = value * multiplier
        guard bytes < 9.2e18, bytes.rounded(.down) == bytes || multiplier > 1 else { return nil }
        self.bytes = Int64(bytes.rounded(.down))
    }

    static let multipliers: [String: Double] = [
        "": 1, "b": 1,
        "k": 1024, "kib": 1024, "kb": 1000,
        "m": 1024 * 1024, "mib": 1024 * 1024, "mb": 1e6,
        "g": 1024 * 1024 * 1024, "gib": 1024 * 1024 * 1024, "gb": 1e9,
        "t": 1024 * 1024 * 1024 * 1024, "tib": 1024 * 1024 * 1024 * 1024, "tb": 1e12,
    ]

    /// The largest binary unit that divides the size exactly (`5GiB`), else plain bytes.
    public var description: String {
        for (unit, multiplier) in [("TiB", Int64(1) << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where self.bytes >= multiplier && self.bytes % multiplier == 0 {
            return "\(self.bytes / multiplier)\(unit)"
        }
        return "\(self.bytes)"
    }
}
