import Crypto
import TextBytes

/// The one door to sign-in sessions, as `FilesService` is to files. Sessions are kept under the
/// SHA-256 of their id, so a copy of the database opens no session; an expired session is not
/// found, and expired sessions are removed whenever a session is stored.
public struct SessionStore: Sendable {
    private let catalog: any SessionCatalog

    /// Sessions kept in `catalog`.
    public init(catalog: any SessionCatalog) {
        self.catalog = catalog
    }

    /// Stores (or replaces) the session `id` of `user` holding `data`, to end in `lifetime`
    /// (`nil`: when the stored session ends; `notFound` when there is none).
    public func put(id: String, user: String, data: String, lifetime: Duration?) async throws {
        let now = FilesService.now()
        let expiresAt: Int64
        if let lifetime {
            expiresAt = now + lifetime.microseconds
        } else if let current = try await self.catalog.session(idHash: Self.hash(id)), current.expiresAt > now {
            expiresAt = current.expiresAt
        } else {
            throw StorageError.sessionNotFound
        }
        try await self.catalog.removeSessions(expiredBefore: now)
        try await self.catalog.putSession(StoredSession(idHash: Self.hash(id), userName: user, data: data, expiresAt: expiresAt))
    }

    /// The data of session `id` and how long it has left, unless it has ended or never existed.
    public func get(id: String) async throws -> (data: String, remaining: Duration)? {
        let now = FilesService.now()
        guard let session = try await self.catalog.session(idHash: Self.hash(id)), session.expiresAt > now else { return nil }
        return (session.data, .microseconds(session.expiresAt - now))
    }

    /// Ends session `id`.
    public func remove(id: String) async throws {
        try await self.catalog.removeSession(idHash: Self.hash(id))
    }

    static func hash(_ id: String) -> String {
        Hex.lowercase(SHA256.hash(data: Array(id.utf8)))
    }
}
