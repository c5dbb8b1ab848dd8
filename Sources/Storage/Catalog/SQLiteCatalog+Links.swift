import GRDB

extension SQLiteCatalog {
    func addLink(_ link: ShareLink) async throws {
        do {
            try await self.write { db in try LinkRow(link).insert(db) }
        } catch let error as StorageError where (error.cause as? DatabaseError)?.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            // The file was deleted since it was looked up.
            throw StorageError.fileNotFound(link.fileID.rawValue)
        }
    }

    func links(of file: FileID) async throws -> [ShareLink] {
        try await self.read { db in
            try LinkRow.filter(Column("file_id") == file.rawValue).order(Column("created_at"), Column("token")).fetchAll(db).map { try $0.link() }
        }
    }

    func link(_ token: String) async throws -> ShareLink? {
        try self.readPoint { db in try LinkRow.fetchOne(db, where: "token", is: token)?.link() }
    }

    func deleteLink(_ token: String) async throws {
        try await self.write { db in
            guard try LinkRow.deleteOne(db, key: token) else { throw StorageError.linkNotFound }
        }
    }

    func claimDownload(_ token: String, at time: Int64) async throws -> ShareLink {
        try await self.write { db in
            guard var row = try LinkRow.fetchOne(db, key: token) else { throw StorageError.linkNotFound }
            try row.link().checkUsable(at: time)
            row.downloads += 1
            try row.update(db)
            return try row.link()
        }
    }

    func returnDownload(_ token: String) async throws {
        try await self.write { db in
            try db.execute(sql: "UPDATE share_links SET downloads = downloads - 1 WHERE token = ? AND downloads > 0", arguments: [token])
        }
    }
}

/// The `share_links` table's row; column names are the table's.
struct LinkRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "share_links"

    var token: String
    var file_id: String
    var created_at: Int64
    var expires_at: Int64
    var max_downloads: Int?
    var downloads: Int

    init(_ link: ShareLink) {
        self.token = link.token
        self.file_id = link.fileID.rawValue
        self.created_at = link.createdAt
        self.expires_at = link.expiresAt
        self.max_downloads = link.maxDownloads
        self.downloads = link.downloads
    }

    func link() throws -> ShareLink {
        guard let file = FileID(self.file_id) else { throw StorageError.malformedRow }
        return ShareLink(
            token: self.token,
            fileID: file,
            createdAt: self.created_at,
            expiresAt: self.expires_at,
            maxDownloads: self.max_downloads,
            downloads: self.downloads
        )
    }
}
