import GRDB

extension SQLiteCatalog: SessionCatalog {
    func putSession(_ session: StoredSession) async throws {
        try await self.write { db in try SessionRow(session).save(db) }
    }

    func session(idHash: String) async throws -> StoredSession? {
        try self.readPoint { db in try SessionRow.fetchOne(db, where: "id_hash", is: idHash)?.session }
    }

    func removeSession(idHash: String) async throws {
        _ = try await self.write { db in try SessionRow.deleteOne(db, key: idHash) }
    }

    func removeSessions(expiredBefore time: Int64) async throws {
        _ = try await self.write { db in try SessionRow.filter(Column("expires_at") <= time).deleteAll(db) }
    }
}

/// The `sessions` table's row; column names are the table's.
struct SessionRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "sessions"

    var id_hash: String
    var user_name: String
    var data: String
    var expires_at: Int64

    init(_ session: StoredSession) {
        self.id_hash = session.idHash
        self.user_name = session.userName
        self.data = session.data
        self.expires_at = session.expiresAt
    }

    var session: StoredSession {
        StoredSession(idHash: self.id_hash, userName: self.user_name, data: self.data, expiresAt: self.expires_at)
    }
}
