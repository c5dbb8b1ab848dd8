/// 128 random bits as 22 URL-safe base64 characters: opaque, unguessable, and in need of no
/// escaping in a URL. File ids and share-link tokens are made this way.
enum RandomIdentifier {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A new identifier from the system's random source.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bits = (UInt64.random(in: .min ... .max, using: &generator), UInt64.random(in: .min ... .max, using: &generator))
        var characters: [UInt8] = []
        characters.reserveCapacity(22)
        for index in 0..<22 {
            // 11 characters from each 64-bit half: the last of each carries its remaining 4 bits.
            let source = index < 11 ? bits.0 : bits.1
            characters.append(Self.alphabet[Int(source & 0x3f)])
            if index < 11 { bits.0 >>= 6 } else { bits.1 >>= 6 }
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Which bytes are in `alphabet`, by value: looked up at once, where a search of the list cost
    /// a listing more than reading its rows.
    private static let isInAlphabet: [Bool] = {
        var members = [Bool](repeating: false, count: 256)
        for byte in Self.alphabet { members[Int(byte)] = true }
        return members
    }()

    /// Whether `text` has the form of an identifier (22 characters of the alphabet).
    static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 22 && text.utf8.allSatisfy { Self.isInAlphabet[Int($0)] }
    }
}
