import TextBytes

/// Decodes an `application/x-www-form-urlencoded` query string as Starlette does: `+` is a space,
/// percent escapes are decoded, a malformed escape is kept as written, and the first value of a
/// repeated name wins.
public enum QueryString {
    /// The name–value pairs of `query` (the part after `?`, without it).
    public static func parse(_ query: Substring) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = self.decode(parts[0])
            let value = parts.count > 1 ? self.decode(parts[1]) : ""
            if result[name] == nil { result[name] = value }
        }
        return result
    }

    /// Percent-decodes one component, reading `+` as a space.
    public static func decode(_ component: Substring) -> String {
        PercentDecoding.form(component)
    }
}
