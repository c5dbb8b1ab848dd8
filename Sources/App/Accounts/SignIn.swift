import Auth
import Storage

/// Checks a user name and password, for the sign-in form and the token endpoint alike: refused
/// at once while the name or the address is throttled, and a name that does not exist costs the
/// same bcrypt work as one that does, so time does not tell which names are taken.
struct SignIn: Sendable {
    let users: UserAccounts
    let hasher: PasswordHasher
    let throttle: LoginThrottle

    /// Why a sign-in failed.
    enum Failure: Error {
        /// The name or the password is wrong (which of them is not said).
        case incorrect
        /// Too many failures lately; another attempt may be made after this long.
        case throttled(retryAfter: Duration)
    }

    /// The user `name` signs in as with `password`, from `address`.
    func attempt(name: String, password: String, address: String) async throws -> UserRecord {
        if let wait = self.throttle.retryAfter(user: name, address: address) { throw Failure.throttled(retryAfter: wait) }
        let user: UserRecord?
        do {
            user = try await self.users.user(named: name)
        } catch let error as StorageError where error.code == .notFound {
            user = nil
        }
        let matches =
            if let user { try await self.hasher.matches(password, hash: user.passwordHash) } else { try await self.hasher.matchNone(password) }
        guard let user, matches else {
            self.throttle.recordFailure(user: name, address: address)
            throw Failure.incorrect
        }
        self.throttle.recordSuccess(user: name, address: address)
        return user
    }
}
