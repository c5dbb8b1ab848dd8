import Foundation

/// A duration written as people write it: `250ms`, `30s`, `5m`, `2h`, `7d`, or `1.5s`.
/// A bare number is seconds.
public struct DurationText: Sendable, Equatable, CustomStringConvertible {
    /// The duration.
    public let duration: Duration

    /// Wraps a duration.
    public init(_ duration: Duration) { self.duration = duration }

    /// Parses a duration; `nil` for anything malformed or negative.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        guard !digits.isEmpty, let value = Double(digits), value >= 0, let seconds = Self.seconds[unit] else { return nil }
        let total = value * seconds
        guard total < 1e12 else { return nil }
        self.duration = .milliseconds(Int64((total * 1000).rounded()))
    }

    static let seconds: [String: Double] = ["": 1, "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400]

    public var description: String {
        let milliseconds = self.duration / .milliseconds(1)
        if milliseconds.truncatingRemainder(dividingBy: 1000) != 0 { return "\(Int64(milliseconds))ms" }
        return "\(Int64(milliseconds / 1000))s"
    }
}
