import HummingbirdBcrypt
import NIOCore
import NIOPosix
import Synchronization

/// Passwords as bcrypt hashes (hummingbird-auth's): `cost` is bcrypt's log2 of its rounds.
///
/// Hashing is deliberately slow (about a quarter of a second at cost 12): call it off the event
/// loops.
public struct PasswordHasher: Sendable {
    /// bcrypt's cost.
    public let cost: Int
    /// A hash of this cost that no password is tried against for real: checked for unknown users,
    /// so that they cost the same as known ones. Made on first use.
    private let decoy = DecoyHash()

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

    /// Threads of their own for bcrypt: its quarter second holds none of the threads that run
    /// requests, and never queues file reads and writes (NIO's shared pool) behind sign-ins.
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: System.coreCount)
        pool.start()
        return pool
    }()

    /// The hash to store for `password`, made on the hashing threads.
    public func hashed(_ password: String) async throws -> String {
        try await Self.pool.runIfActive { self.hash(password) }
    }

    /// Whether `password` is the one `hash` was made from, checked on the hashing threads.
    public func matches(_ password: String, hash: String) async throws -> Bool {
        try await Self.pool.runIfActive { self.verify(password, hash: hash) }
    }

    /// The same work as `matches` for a user that does not exist, so that a sign-in does not
    /// tell by its time whether the name is taken; always `false`.
    public func matchNone(_ password: String) async throws -> Bool {
        try await Self.pool.runIfActive {
            let hash = self.decoy.hash { self.hash(PasswordHasher.randomPassword()) }
            return self.verify(password, hash: hash) && false
        }
    }

    /// A new random password: 24 characters from 57 unambiguous letters and digits (about 140 bits).
    public static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}

/// The decoy hash of a hasher, made once.
private final class DecoyHash: Sendable {
    private let value = Mutex<String?>(nil)

    func hash(_ make: () -> String) -> String {
        self.value.withLock { value in
            if let value { return value }
            let made = make()
            value = made
            return made
        }
    }
}
