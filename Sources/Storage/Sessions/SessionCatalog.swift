/// Where sign-in sessions are kept: the metadata database, so that they survive a restart. Only
/// `SessionStore` uses it.
public protocol SessionCatalog: Sendable {
    /// Adds or replaces the session with this id hash.
    func putSession(_ session: StoredSession) async throws
    /// The session with this id hash, if any (expired or not).
    func session(idHash: String) async throws -> StoredSession?
    /// Removes the session with this id hash, if any.
    func removeSession(idHash: String) async throws
    /// Removes every session that expired before `time`.
    func removeSessions(expiredBefore time: Int64) async throws
}

/// A session as the database keeps it.
public struct StoredSession: Sendable, Equatable {
    /// The SHA-256 of the session id, in hex: the id itself is never stored.
    public var idHash: String
    /// Whose session it is; it ends with the user.
    public var userName: String
    /// What the session holds, as JSON its owner wrote.
    public var data: String
    /// When it ends, in microseconds since 1970 (UTC).
    public var expiresAt: Int64
}
