import Foundation

/// An allow-list of media types, as `--allow-types image/*,application/pdf` gives it.
public struct AllowedTypes: Sendable, Equatable, CustomStringConvertible {
    private let patterns: [String]

    /// Parses a comma list of `type/subtype` and `type/*` patterns; `nil` when one is malformed.
    public init?(parsing list: String) {
        let patterns = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        guard !patterns.isEmpty,
            patterns.allSatisfy({ pattern in
                let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
                return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && parts[0] != "*"
            })
        else { return nil }
        self.patterns = patterns
    }

    /// Whether a media type is allowed.
    public func allows(_ type: String) -> Bool {
        let type = type.lowercased()
        return self.patterns.contains { pattern in
            pattern.hasSuffix("/*") ? type.hasPrefix(pattern.dropLast()) : type == pattern
        }
    }

    public var description: String { self.patterns.joined(separator: ",") }
}
