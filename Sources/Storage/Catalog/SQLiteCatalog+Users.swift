import GRDB

extension SQLiteCatalog: UserCatalog {
    func addUser(_ user: UserRecord) async throws {
        do {
            try await self.write { db in try UserRow(user).insert(db) }
        } catch let error as StorageError where (error.cause as? DatabaseError)?.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw StorageError.userExists(user.name)
        }
    }

    func user(named name: String) async throws -> UserRecord? {
        try self.readPoint { db in try UserRow.fetchOne(db, where: "name", is: name)?.record() }
    }

    func users() async throws -> [UserRecord] {
        try await self.read { db in try UserRow.order(Column("name")).fetchAll(db).map { try $0.record() } }
    }

    func setPasswordHash(of name: String, to hash: String) async throws {
        try await self.write { db in
            guard var row = try UserRow.fetchOne(db, key: name) else { throw StorageError.userNotFound(name) }
            row.password_hash = hash
            row.token_generation += 1
            try row.update(db)
            try SessionRow.filter(Column("user_name") == name).deleteAll(db)
        }
    }

    func setRole(of name: String, to role: UserRole) async throws {
        try await self.write { db in
            guard var row = try UserRow.fetchOne(db, key: name) else { throw StorageError.userNotFound(name) }
            guard row.role != role.rawValue else { return }
            if role != .admin, try UserRow.filter(Column("role") == UserRole.admin.rawValue).fetchCount(db) == 1 {
                throw StorageError.lastAdmin(name)
            }
            row.role = role.rawValue
            row.token_generation += 1
            try row.update(db)
            try SessionRow.filter(Column("user_name") == name).deleteAll(db)
        }
    }

    func setQuota(of name: String, to quota: Int64?) async throws {
        try await self.write { db in
            guard var row = try UserRow.fetchOne(db, key: name) else { throw StorageError.userNotFound(name) }
            row.quota = quota
            try row.update(db)
        }
    }

    func deleteUser(named name: String, transferringFilesTo heir: String?) async throws {
        try await self.write { db in
            guard try UserRow.exists(db, key: name) else { throw StorageError.userNotFound(name) }
            if let heir {
                guard heir != name else { throw StorageError.heirIsTheUser(name) }
                guard try UserRow.exists(db, key: heir) else { throw StorageError.userNotFound(heir) }
                // A change of each file: announced to the heir's streams, its version moving on as
                // `FileRow.nextVersion` moves it.
                let now = FilesService.now()
                try db.execute(
                    sql: "INSERT INTO events (kind, file_id, owner, at) SELECT ?, id, ?, ? FROM files WHERE owner = ? ORDER BY id",
                    arguments: [EventKind.fileUpdated.rawValue, heir, now, name]
                )
                try Self.trimEvents(in: db)
                try db.execute(
                    sql: "UPDATE files SET owner = ?, updated_at = MAX(?, updated_at + 1) WHERE owner = ?",
                    arguments: [heir, now, name]
                )
            } else if case let count = try FileRow.filter(Column("owner") == name).fetchCount(db), count > 0 {
                throw StorageError.userOwnsFiles(name, count: count)
            }
            _ = try UserRow.deleteOne(db, key: name)
        }
    }
}

/// The `users` table's row; column names are the table's.
struct UserRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "users"

    var name: String
    var password_hash: String
    var role: String
    var created_at: Int64
    var token_generation: Int64
    var quota: Int64?

    init(_ user: UserRecord) {
        self.name = user.name
        self.password_hash = user.passwordHash
        self.role = user.role.rawValue
        self.created_at = user.createdAt
        self.token_generation = user.tokenGeneration
        self.quota = user.quota
    }

    func record() throws -> UserRecord {
        guard let role = UserRole(rawValue: self.role) else { throw StorageError.malformedRow }
        return UserRecord(
            name: self.name,
            passwordHash: self.password_hash,
            role: role,
            createdAt: self.created_at,
            tokenGeneration: self.token_generation,
            quota: self.quota
        )
    }
}
