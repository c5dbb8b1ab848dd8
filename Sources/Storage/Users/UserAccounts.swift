/// The one door to users, as `FilesService` is to files. Passwords arrive hashed: hashing is the
/// business of the layer that knows bcrypt, not of storage.
public struct UserAccounts: Sendable {
    private let catalog: any UserCatalog

    /// Users kept in `catalog`.
    public init(catalog: any UserCatalog) {
        self.catalog = catalog
    }

    /// Adds a user; `alreadyExists` when the name is taken. Its token generation starts at random,
    /// so that the tokens of an earlier user of the same name, which outlive that user, never
    /// match it.
    @discardableResult
    public func add(name: String, passwordHash: String, role: UserRole, quota: Int64? = nil) async throws -> UserRecord {
        let user = UserRecord(
            name: name,
            passwordHash: passwordHash,
            role: role,
            createdAt: FilesService.now(),
            tokenGeneration: .random(in: 0..<(1 << 62)),
            quota: quota
        )
        try await self.catalog.addUser(user)
        return user
    }

    /// The user with this name; `notFound` when there is none.
    public func user(named name: String) async throws -> UserRecord {
        guard let user = try await self.catalog.user(named: name) else { throw StorageError.userNotFound(name) }
        return user
    }

    /// Every user, by name.
    public func list() async throws -> [UserRecord] {
        try await self.catalog.users()
    }

    /// The bytes the files of the user of this name hold, each content counted once (as their
    /// quota counts them).
    public func usage(of name: String) async throws -> Int64 {
        try await self.catalog.usage(of: name)
    }

    /// Whether no user exists yet (a first start).
    public func isEmpty() async throws -> Bool {
        try await self.catalog.users().isEmpty
    }

    /// Replaces a user's password hash; every session and bearer token of theirs ends with it.
    public func changePasswordHash(of name: String, to hash: String) async throws {
        try await self.catalog.setPasswordHash(of: name, to: hash)
    }

    /// Sets a user's role; a change ends every session and bearer token of theirs, so that
    /// nothing opened under the old role (an admin's event stream, say) goes on under it. The
    /// last admin stays one (`conflict`).
    public func setRole(of name: String, to role: UserRole) async throws {
        try await self.catalog.setRole(of: name, to: role)
    }

    /// Sets a user's quota in bytes (`nil`: the server's default).
    public func setQuota(of name: String, to quota: Int64?) async throws {
        try await self.catalog.setQuota(of: name, to: quota)
    }

    /// Removes a user, and their sessions with them. A user who owns files is not removed unless
    /// the files go to `heir`: a later user of the same name must not inherit them.
    public func delete(named name: String, transferringFilesTo heir: String? = nil) async throws {
        try await self.catalog.deleteUser(named: name, transferringFilesTo: heir)
    }
}
