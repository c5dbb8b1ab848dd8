import HummingbirdBcrypt

/// Passwords as bcrypt hashes (hummingbird-auth's): `cost` is bcrypt's log2 of its rounds.
///
/// Hashing is deliberately slow (about a quarter of a second at cost 12): call it off the event
/// loops.
public struct PasswordHasher: Sendable {
    /// bcrypt's cost.
    public let cost: Int

    /// The costs bcrypt accepts.
    public static let costs: ClosedRange<Int> = 4...31

    /// A hasher of this cost (one of `costs`).
    public init(cost: Int) {
        precondition(Self.costs.contains(cost), "bcrypt's cost is 4 to 31")
        self.cost = cost
    }

    /// The hash to store for `password`.
    public func hash(_ password: String) -> String {
        Bcrypt.hash(password, cost: UInt8(self.cost))
    }

    /// Whether `password` is the one `hash` was made from.
    public func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// A new random password: 24 characters from 57 unambiguous letters and digits (about 140 bits).
    public static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
