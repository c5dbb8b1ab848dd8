/// Where users are kept: the metadata database, beside the file records. Only `UserAccounts`
/// uses it.
public protocol UserCatalog: Sendable {
    /// Adds a user; `alreadyExists` when the name is taken.
    func addUser(_ user: UserRecord) async throws
    /// The user with this name, if any.
    func user(named name: String) async throws -> UserRecord?
    /// Every user, by name.
    func users() async throws -> [UserRecord]
    /// The bytes of the files `owner` owns, each content counted once (as their quota counts them).
    func usage(of owner: String) async throws -> Int64
    /// Replaces a user's password hash, raises their token generation and ends their sessions,
    /// in one transaction; `notFound` when there is no such user.
    func setPasswordHash(of name: String, to hash: String) async throws
    /// Sets a user's role; when it changes, raises their token generation and ends their
    /// sessions, in one transaction. `notFound` when there is no such user, `conflict` when it
    /// would leave no admin.
    func setRole(of name: String, to role: UserRole) async throws
    /// Sets a user's quota (`nil`: the server's default); `notFound` when there is no such user.
    func setQuota(of name: String, to quota: Int64?) async throws
    /// Removes a user and their sessions, first giving their files to `heir` when named;
    /// `notFound` when either user does not exist, `inUse` when the user owns files and no heir
    /// is named. One transaction.
    func deleteUser(named name: String, transferringFilesTo heir: String?) async throws
}
