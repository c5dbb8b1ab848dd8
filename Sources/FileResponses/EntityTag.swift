import TextBytes

/// An entity tag (RFC 9110 §8.8.3): an opaque quoted string, strong or weak (`W/"..."`).
public struct EntityTag: Equatable, Sendable {
    /// The characters between the quotes.
    public let opaque: String
    /// Whether the tag is weak.
    public let isWeak: Bool

    /// Creates a tag.
    public init(_ opaque: String, weak: Bool = false) {
        self.opaque = opaque
        self.isWeak = weak
    }

    /// The header form: `"opaque"` or `W/"opaque"`.
    public var headerValue: String { (self.isWeak ? "W/" : "") + "\"\(self.opaque)\"" }

    /// Weak comparison (§8.8.3.2): the opaque parts match, weakness aside.
    public func weaklyMatches(_ other: EntityTag) -> Bool { self.opaque == other.opaque }

    /// Strong comparison: both strong and equal.
    public func stronglyMatches(_ other: EntityTag) -> Bool { !self.isWeak && !other.isWeak && self.opaque == other.opaque }

    /// The tags of an `If-Match`/`If-None-Match` value: `.any` for `*`, `nil` when malformed.
    static func list(_ header: String) -> EntityTagList? {
        let trimmed = header.trimmingHTTPWhitespace()
        if trimmed == "*" { return .any }
        var tags: [EntityTag] = []
        var rest = trimmed[...]
        while !rest.isEmpty {
            var weak = false
            if rest.hasPrefix("W/") {
                weak = true
                rest = rest.dropFirst(2)
            }
            guard rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") else { return nil }
            tags.append(EntityTag(String(rest[rest.index(after: rest.startIndex)..<close]), weak: weak))
            rest = rest[rest.index(after: close)...].trimmingHTTPWhitespace()
            if rest.first == "," { rest = rest.dropFirst().trimmingHTTPWhitespace() } else if !rest.isEmpty { return nil }
        }
        return .tags(tags)
    }
}

/// The value of an `If-Match` or `If-None-Match` header.
enum EntityTagList: Equatable {
    case any
    case tags([EntityTag])
}
