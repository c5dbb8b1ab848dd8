/// A file's identifier: 128 random bits as 22 URL-safe base64 characters, so ids are opaque,
/// unguessable and need no escaping in a URL.
public struct FileID: Hashable, Sendable, CustomStringConvertible {
    /// The 22-character text form.
    public let rawValue: String

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Accepts only the text form of an id (22 characters of the URL-safe base64 alphabet).
    public init?(_ text: String) {
        guard text.utf8.count == 22, text.utf8.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        self.rawValue = text
    }

    /// A new random id.
    public static func random() -> FileID {
        var generator = SystemRandomNumberGenerator()
        var bits = (UInt64.random(in: .min ... .max, using: &generator), UInt64.random(in: .min ... .max, using: &generator))
        var characters: [UInt8] = []
        characters.reserveCapacity(22)
        for index in 0..<22 {
            // 22 × 6 = 132 bits: the last character carries the 2 remaining bits.
            let source = index < 11 ? bits.0 : bits.1
            characters.append(Self.alphabet[Int(source & 0x3f)])
            if index < 11 { bits.0 >>= 6 } else { bits.1 >>= 6 }
        }
        return FileID(unchecked: String(decoding: characters, as: UTF8.self))
    }

    init(unchecked rawValue: String) { self.rawValue = rawValue }

    public var description: String { self.rawValue }
}
