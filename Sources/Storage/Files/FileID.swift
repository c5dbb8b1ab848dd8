/// A file's identifier: 128 random bits as 22 URL-safe base64 characters, so ids are opaque,
/// unguessable and need no escaping in a URL.
public struct FileID: Hashable, Sendable, CustomStringConvertible {
    /// The 22-character text form.
    public let rawValue: String

    /// Accepts only the text form of an id (22 characters of the URL-safe base64 alphabet).
    public init?(_ text: String) {
        guard RandomIdentifier.isWellFormed(text) else { return nil }
        self.rawValue = text
    }

    /// A new random id.
    public static func random() -> FileID {
        FileID(unchecked: RandomIdentifier.make())
    }

    init(unchecked rawValue: String) { self.rawValue = rawValue }

    public var description: String { self.rawValue }
}
