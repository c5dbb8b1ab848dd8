import Auth
public import Storage
import TextBytes

/// Users as the command line and (later) the login see them: names checked, passwords hashed
/// with bcrypt before they reach storage.
public struct Accounts: Sendable {
    let users: UserAccounts
    let hasher: PasswordHasher

    /// User names: 1 to 64 letters, digits and `.`, `_`, `-` (nothing a log line or a URL must escape).
    static func validate(name: String) throws -> String {
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "._-".utf8.contains(byte)
        }
        guard (1...64).contains(name.utf8.count), allowed else { throw AccountError.invalidName(name) }
        return name
    }

    /// Passwords: at least 8 characters, at most 72 bytes (what bcrypt reads).
    static func validate(password: String) throws -> String {
        guard password.count >= 8 else { throw AccountError.shortPassword }
        guard password.utf8.count <= 72 else { throw AccountError.longPassword }
        return password
    }

    /// Adds a user (an admin when `isAdmin`) with this password, and a storage quota in bytes
    /// when given (else the server's default applies); the user as stored.
    @discardableResult
    public func add(name: String, password: String, isAdmin: Bool, quota: Int64? = nil) async throws -> UserRecord {
        let name = try Self.validate(name: name)
        let hash = try await self.hasher.hashed(try Self.validate(password: password))
        return try await self.users.add(name: name, passwordHash: hash, role: isAdmin ? .admin : .user, quota: quota)
    }

    /// Makes a user an admin or not; a change ends their sessions and tokens.
    public func setRole(of name: String, isAdmin: Bool) async throws {
        try await self.users.setRole(of: name, to: isAdmin ? .admin : .user)
    }

    /// Sets a user's storage quota in bytes; `nil`: the server's default.
    public func setQuota(of name: String, to quota: Int64?) async throws {
        try await self.users.setQuota(of: name, to: quota)
    }

    /// Every user, by name: what may be shown of them (never the hash).
    public func list() async throws -> [Listing] {
        var listings: [Listing] = []
        for user in try await self.users.list() {
            listings.append(
                Listing(
                    name: user.name,
                    role: user.role.rawValue,
                    created: RFC3339.format(microseconds: user.createdAt),
                    used: "\(ByteSize(bytes: try await self.users.usage(of: user.name)))",
                    quota: user.quota.map { "\(ByteSize(bytes: $0))" } ?? "default"
                )
            )
        }
        return listings
    }

    /// A user as `wharf user list` shows it.
    public struct Listing: Sendable, Equatable {
        /// The name.
        public let name: String
        /// `admin` or `user`.
        public let role: String
        /// When the user was added, RFC 3339 in UTC.
        public let created: String
        /// What the user's files hold, each content counted once (as their quota counts them).
        public let used: String
        /// The user's storage quota, or `default` (the server's).
        public let quota: String
    }

    /// Gives a user a new password (hashed on bcrypt's own threads); every session and bearer
    /// token of theirs ends with it.
    public func changePassword(of name: String, to password: String) async throws {
        _ = try await self.users.user(named: name)
        try await self.users.changePasswordHash(of: name, to: try await self.hasher.hashed(try Self.validate(password: password)))
    }

    /// Removes a user, giving their files to `heir` when named (a user who owns files is
    /// otherwise kept).
    public func delete(named name: String, transferringFilesTo heir: String? = nil) async throws {
        try await self.users.delete(named: name, transferringFilesTo: heir)
    }

    /// On a first start (no user at all) adds `admin` with `password`, or with a random one that
    /// is returned so that it can be shown once. `nil` when users exist or the password was given.
    public func createFirstAdmin(password: String?) async throws -> String? {
        guard try await self.users.isEmpty() else { return nil }
        let chosen = password ?? PasswordHasher.randomPassword()
        try await self.add(name: "admin", password: chosen, isAdmin: true)
        return password == nil ? chosen : nil
    }
}
