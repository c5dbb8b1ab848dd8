/// HTTP's optional whitespace (spaces and tabs, RFC 9110 §5.6.3), trimmed the same way wherever a
/// header value is split into parts.
extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    public func trimmingHTTPWhitespace() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) }) else {
            return self[self.endIndex...]
        }
        return self[first...last]
    }
}
