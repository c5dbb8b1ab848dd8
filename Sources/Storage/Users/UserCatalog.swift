/// Where users are kept: the metadata database, beside the file records. Only `UserAccounts`
/// uses it.
public protocol UserCatalog: Sendable {
    /// Adds a user; `alreadyExists` when the name is taken.
    func addUser(_ user: UserRecord) async throws
    /// The user with this name, if any.
    func user(named name: String) async throws -> UserRecord?
    /// Every user, by name.
    func users() async throws -> [UserRecord]
    /// Replaces a user's password hash; `notFound` when there is no such user.
    func setPasswordHash(of name: String, to hash: String) async throws
    /// Removes a user; `notFound` when there is no such user.
    func deleteUser(named name: String) async throws
}
