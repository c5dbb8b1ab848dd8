/// A person or script that may sign in: what the metadata database keeps of them.
public struct UserRecord: Sendable, Equatable {
    /// The unique name users sign in with.
    public var name: String
    /// The password's bcrypt hash (never the password).
    public var passwordHash: String
    /// What the user may do.
    public var role: UserRole
    /// When the user was added, in microseconds since 1970 (UTC).
    public var createdAt: Int64
    /// Raised by every change of password or role: bearer tokens and sessions made under an earlier
    /// generation no longer sign the user in. A new user's starts at random (`UserAccounts.add`).
    public var tokenGeneration: Int64
    /// Most bytes the user's files may hold (each stored content counted once); `nil`: the
    /// server's default.
    public var quota: Int64?

    /// A user from its fields.
    public init(name: String, passwordHash: String, role: UserRole, createdAt: Int64, tokenGeneration: Int64 = 0, quota: Int64? = nil) {
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.createdAt = createdAt
        self.tokenGeneration = tokenGeneration
        self.quota = quota
    }
}

/// What a user may do: an admin sees every file; a user only their own.
public enum UserRole: String, Sendable, CaseIterable {
    /// Sees and manages every file and user.
    case admin
    /// Sees and manages their own files.
    case user
}
