import GRDB

/// The catalog in an SQLite database (WAL mode) through GRDB.
///
/// The schema is created and migrated when the catalog opens. Times are integer microseconds, so
/// sorting and keyset paging compare numbers. With `durable` on, commits use `synchronous=FULL` so
/// that an acknowledged record survives a power cut, not only a crash of the process.
struct SQLiteCatalog: Catalog {
    let database: DatabasePool
    private let pointReaders: PointReaders
    let jobCommits = CommitSignal()
    private let roomToDelete: RoomToDelete
    /// Notifies `jobCommits` while the catalog lives.
    private let jobObservation: AnyDatabaseCancellable

    /// Opens (creating and migrating if needed) the database at `path`, with its room to delete
    /// beside it.
    init(path: String, durable: Bool) throws {
        self.roomToDelete = RoomToDelete(path: path + "-room-to-delete")
        self.pointReaders = PointReaders(path: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in db.add(function: FileListStatement.folded) }
        do {
            self.database = try DatabasePool(path: path, configuration: configuration)
            // Set on the one writing connection after GRDB has put it in WAL mode, which sets
            // NORMAL (no sync of the WAL at commit) and would undo a setting made before.
            if durable {
                try self.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            }
            try Self.migrator.migrate(self.database)
        } catch {
            throw StorageError.database("could not be opened", cause: error)
        }
        // GRDB calls back on its writer queue once a transaction that touched the jobs commits.
        let commits = self.jobCommits
        self.jobObservation = DatabaseRegionObservation(tracking: Table("jobs")).start(in: self.database) { _ in
            // Only a missing table fails it, and the migrations made it; workers also look on a timer.
        } onChange: { _ in
            commits.notify()
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: files") { db in
            try db.create(table: "files") { table in
                table.primaryKey("id", .text)
                table.column("name", .text).notNull()
                table.column("size", .integer).notNull()
                table.column("content_type", .text).notNull()
                table.column("sha256", .text).notNull().indexed()
                table.column("description", .text).notNull().defaults(to: "")
                table.column("tags", .text).notNull().defaults(to: "[]")
                table.column("created_at", .integer).notNull()
                table.column("updated_at", .integer).notNull()
            }
            try db.create(index: "files_by_created_at", on: "files", columns: ["created_at", "id"])
            try db.create(index: "files_by_name", on: "files", columns: ["name", "id"])
            try db.create(index: "files_by_size", on: "files", columns: ["size", "id"])
        }
        migrator.registerMigration("v2: declared content type") { db in
            try db.alter(table: "files") { table in
                table.add(column: "declared_content_type", .text)
            }
        }
        migrator.registerMigration("v3: users") { db in
            try db.create(table: "users") { table in
                table.primaryKey("name", .text)
                table.column("password_hash", .text).notNull()
                table.column("role", .text).notNull()
                table.column("created_at", .integer).notNull()
            }
        }
        migrator.registerMigration("v4: owners") { db in
            // Files stored before accounts belong to the first admin.
            try db.alter(table: "files") { table in
                table.add(column: "owner", .text).notNull().defaults(to: "admin")
            }
            try db.create(index: "files_by_owner", on: "files", columns: ["owner", "created_at", "id"])
        }
        migrator.registerMigration("v5: share links") { db in
            try db.create(table: "share_links") { table in
                table.primaryKey("token", .text)
                table.column("file_id", .text).notNull().indexed().references("files", onDelete: .cascade)
                table.column("created_at", .integer).notNull()
                table.column("expires_at", .integer).notNull()
                table.column("max_downloads", .integer)
                table.column("downloads", .integer).notNull().defaults(to: 0)
            }
        }
        migrator.registerMigration("v6: sessions, token generations, quotas") { db in
            try db.alter(table: "users") { table in
                table.add(column: "token_generation", .integer).notNull().defaults(to: 0)
                table.add(column: "quota", .integer)
            }
            try db.create(table: "sessions") { table in
                table.primaryKey("id_hash", .text)
                table.column("user_name", .text).notNull().indexed().references("users", onDelete: .cascade)
                table.column("data", .text).notNull()
                table.column("expires_at", .integer).notNull().indexed()
            }
        }
        migrator.registerMigration("v7: jobs") { db in
            try db.create(table: "jobs") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("kind", .text).notNull()
                table.column("subject", .text).notNull()
                table.column("status", .text).notNull()
                table.column("attempts", .integer).notNull()
                table.column("run_after", .integer).notNull()
                table.column("last_error", .text)
                table.column("created_at", .integer).notNull()
                table.column("updated_at", .integer).notNull()
            }
            try db.execute(sql: "CREATE INDEX jobs_due ON jobs (status, run_after, id)")
            // One waiting or running job per kind and subject: enqueuing again is a no-op.
            try db.execute(sql: "CREATE UNIQUE INDEX jobs_pending ON jobs (kind, subject) WHERE status IN ('queued', 'running')")
        }
        migrator.registerMigration("v8: blob integrity") { db in
            // What the last scrub found of each content; a content absent here was never checked.
            try db.create(table: "blob_integrity") { table in
                table.primaryKey("sha256", .text)
                table.column("status", .text).notNull()
                table.column("verified_at", .integer).notNull()
            }
        }
        migrator.registerMigration("v9: events") { db in
            // The outbox of live events; AUTOINCREMENT so that an id is never reused after trimming.
            try db.execute(
                sql: """
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        file_id TEXT,
                        owner TEXT,
                        at INTEGER NOT NULL,
                        detail TEXT
                    )
                    """
            )
        }
        migrator.registerMigration("v10: names sorted ignoring case") { db in
            try db.execute(sql: "DROP INDEX files_by_name")
            try db.execute(sql: "CREATE INDEX files_by_name_ignoring_case ON files (name COLLATE NOCASE, id)")
        }
        migrator.registerMigration("v11: usage read from an index") { db in
            // What a user's files hold (each content once) is summed at every commit under a quota
            // and by `GET /api/me`: from this index alone, a third of the time for 100,000 files.
            try db.execute(sql: "CREATE INDEX files_by_owner_content ON files (owner, sha256, size)")
        }
        migrator.registerMigration("v12: one owner's listings by name and size from indexes") { db in
            // A user's listing is one owner's: by name or size it sorted all their files for each
            // page (0.25 s a page for 100,000 files) where the date order had its index.
            try db.execute(sql: "CREATE INDEX files_by_owner_name ON files (owner, name COLLATE NOCASE, id)")
            try db.execute(sql: "CREATE INDEX files_by_owner_size ON files (owner, size, id)")
        }
        migrator.registerMigration("v13: tags read from an index") { db in
            // A tag filter parsed every file's JSON list of tags until a page was full: 0.08 s a
            // page for a tag few of 100,000 files carry, ten times that for a million. Each tag of
            // each file is a row here, folded as a search compares it, kept by the triggers
            // whatever writes the files (`wharf_fold` is on every connection the catalog opens).
            // A list that is not one of strings, which Wharf never writes, gives no rows.
            try db.execute(
                sql: """
                    CREATE TABLE file_tags (
                        tag TEXT NOT NULL, owner TEXT NOT NULL, file_id TEXT NOT NULL, PRIMARY KEY (tag, owner, file_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX file_tags_by_file ON file_tags (file_id);
                    INSERT OR IGNORE INTO file_tags SELECT wharf_fold(value), files.owner, files.id
                    FROM files, json_each(files.tags) WHERE json_valid(files.tags) AND json_each.type = 'text';
                    CREATE TRIGGER file_tags_of_a_new_file AFTER INSERT ON files BEGIN
                        INSERT OR IGNORE INTO file_tags SELECT wharf_fold(value), NEW.owner, NEW.id FROM json_each(NEW.tags) WHERE type = 'text';
                    END;
                    CREATE TRIGGER file_tags_of_a_changed_file AFTER UPDATE OF tags, owner ON files
                    WHEN NEW.tags IS NOT OLD.tags OR NEW.owner IS NOT OLD.owner BEGIN
                        DELETE FROM file_tags WHERE file_id = OLD.id;
                        INSERT OR IGNORE INTO file_tags SELECT wharf_fold(value), NEW.owner, NEW.id FROM json_each(NEW.tags) WHERE type = 'text';
                    END;
                    CREATE TRIGGER file_tags_of_a_deleted_file AFTER DELETE ON files BEGIN
                        DELETE FROM file_tags WHERE file_id = OLD.id;
                    END;
                    """
            )
        }
        migrator.registerMigration("v14: an owner's files of a type read from an index") { db in
            // A type few of a user's files have (a PDF among 100,000 photos) was looked for in
            // every file: 0.05–0.07 s a page for 100,000.
            try db.execute(sql: "CREATE INDEX files_by_owner_type ON files (owner, content_type)")
        }
        migrator.registerMigration("v15: jobs by subject, by status and their counts read from indexes") { db in
            // Jobs are kept, and each of these read them all: every record of an image without all
            // its thumbnails asks where its job stands (0.3 s a page of 50 images among 50,000
            // jobs, oldest first), and the jobs' gauges count them every 5 s (0.1 s for 50,000).
            try db.execute(sql: "CREATE INDEX jobs_by_subject ON jobs (kind, subject, id)")
            try db.execute(sql: "CREATE INDEX jobs_by_status ON jobs (status, id)")
            try db.execute(sql: "CREATE INDEX jobs_by_kind_and_status ON jobs (kind, status)")
        }
        return migrator
    }

    func commit(_ unit: UnitOfWork) async throws -> [FileChange] {
        let write = { @Sendable (db: Database) throws -> [FileChange] in
            let changes = try unit.writes.compactMap { write in try Self.apply(write, in: db) }
            let now = FilesService.now()
            for change in changes { try Self.announce(change, at: now, in: db) }
            return changes
        }
        guard unit.onlyDeletes else { return try await self.write(write) }
        let room = self.roomToDelete
        do {
            return try await self.write { db in
                // Its file calls block: on the writer's queue, not the caller's task.
                room.makeIfMissing()
                return try write(db)
            }
        } catch let error as StorageError where error.code == .noSpace && self.roomToDelete.release() {
            return try await self.write(write)
        }
    }

    static func apply(_ write: UnitOfWork.Write, in db: Database) throws -> FileChange? {
        switch write {
        case .insert(let record):
            try FileRow(record).insert(db)
            return .created(record)
        case .updateMetadata(let id, let change, let time, let owner):
            return try self.update(id, ownedBy: owner, in: db) { row in
                if let name = change.name { row.name = name }
                if let description = change.description { row.description = description }
                if let tags = change.tags { row.tags = FileRow.encodeTags(tags) }
                row.updated_at = FileRow.nextVersion(after: row.updated_at, at: time)
            }
        case .replaceContent(let id, let content, let time, let owner):
            return try self.update(id, ownedBy: owner, in: db) { row in
                row.sha256 = content.digest.hex
                row.size = content.size
                row.content_type = content.contentType
                row.declared_content_type = content.declaredContentType
                row.updated_at = FileRow.nextVersion(after: row.updated_at, at: time)
            }
        case .delete(let id, let owner):
            let row = try self.row(id, ownedBy: owner, in: db)
            try row.delete(db)
            return .deleted(try row.record())
        case .enqueue(let request, let time):
            try Self.enqueue(request, at: time, in: db)
            return nil
        case .enforceQuota(let owner, let limit):
            try Self.enforce(limit, on: owner, in: db)
            return nil
        case .requireContent(let id, let digest):
            guard try Self.row(id, ownedBy: nil, in: db).sha256 == digest.hex else { throw StorageError.contentChanged }
            return nil
        case .requireVersion(let id, let updatedAt):
            guard try Self.row(id, ownedBy: nil, in: db).updated_at == updatedAt else { throw StorageError.recordChanged }
            return nil
        case .requireAccount(let name, let createdAt):
            guard try UserRow.fetchOne(db, key: name)?.created_at == createdAt else { throw StorageError.accountGone(name) }
            return nil
        case .enforceUserQuota(let name, let defaultQuota):
            if let limit = try Self.quota(ofUser: name, defaultQuota: defaultQuota, in: db) { try Self.enforce(limit, on: name, in: db) }
            return nil
        case .enforceOwnerQuota(let id, let defaultQuota, let askedBy):
            let owner = try Self.row(id, ownedBy: nil, in: db).owner
            if let limit = try Self.quota(ofUser: owner, defaultQuota: defaultQuota, in: db) {
                try Self.enforce(limit, on: owner, in: db, namingOwner: owner != askedBy)
            }
            return nil
        }
    }

    /// The quota of the user of this name as it is now: their own, else `defaultQuota`; `nil`
    /// (none) for a name that is no user's.
    static func quota(ofUser name: String, defaultQuota: Int64?, in db: Database) throws -> Int64? {
        guard let user = try UserRow.fetchOne(db, key: name) else { return nil }
        return user.quota ?? defaultQuota
    }

    /// Throws `quotaExceeded` when `owner`'s files hold more than `limit` bytes; its message
    /// names the owner when `namingOwner` (it is not the one who asked).
    static func enforce(_ limit: Int64, on owner: String, in db: Database, namingOwner: Bool = false) throws {
        let usage = try Self.usage(of: owner, in: db)
        if usage > limit { throw StorageError.quotaExceeded(quota: limit, usage: usage, of: namingOwner ? owner : nil) }
    }

    /// The bytes of `owner`'s files, each content (digest) counted once.
    static func usage(of owner: String, in db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: Self.usageSQL), arguments: [owner]) ?? 0
    }

    /// The sum of one owner's distinct contents, read from `files_by_owner_content` alone.
    static let usageSQL = "SELECT COALESCE(SUM(size), 0) FROM (SELECT DISTINCT sha256, size FROM files WHERE owner = ?)"

    func usage(of owner: String) async throws -> Int64 {
        try await self.readOneStatement { db in try Self.usage(of: owner, in: db) }
    }

    func remainingQuota(ofUser name: String, defaultQuota: Int64?) async throws -> Int64? {
        try await self.read { db in
            try Self.quota(ofUser: name, defaultQuota: defaultQuota, in: db).map { max(0, $0 - (try Self.usage(of: name, in: db))) }
        }
    }

    /// The row of `id`, if `owner` (when set) owns it; another's file is not found, like a missing one.
    static func row(_ id: FileID, ownedBy owner: String?, in db: Database) throws -> FileRow {
        guard let row = try FileRow.fetchOne(db, where: "id", is: id.rawValue), owner.map({ $0 == row.owner }) ?? true else {
            throw StorageError.fileNotFound(id.rawValue)
        }
        return row
    }

    static func update(_ id: FileID, ownedBy owner: String?, in db: Database, _ change: (inout FileRow) -> Void) throws -> FileChange {
        var row = try self.row(id, ownedBy: owner, in: db)
        let original = row
        let before = try row.record(integrity: try self.integrity(of: row.sha256, in: db))
        change(&row)
        var unversioned = row
        unversioned.updated_at = original.updated_at
        if unversioned == original { return .unchanged(before) }
        try row.update(db)
        return .updated(try row.record(integrity: try self.integrity(of: row.sha256, in: db)), before: before)
    }

    static func integrity(of sha256: String, in db: Database) throws -> Integrity? {
        guard let row = try Row.fetchOne(db, cachedSQL: "SELECT status, verified_at FROM blob_integrity WHERE sha256 = ?", arguments: [sha256])
        else { return nil }
        guard let check = BlobCheck(rawValue: row["status"]) else { throw StorageError.malformedRow }
        return Integrity(check, verifiedAt: row["verified_at"])
    }

    func file(id: FileID) async throws -> FileRecord? {
        try self.readPoint { db in
            try Row.fetchOne(db, cachedSQL: FileRow.selectWithIntegrity + " WHERE files.id = ?", arguments: [id.rawValue]).map {
                try FileRow.record(joined: $0)
            }
        }
    }

    func list(_ query: FileListQuery) async throws -> FilePage {
        if let cursor = query.after, cursor.sort != query.sort { throw StorageError.cursorOfOtherSort(cursor.sort) }
        let page = { @Sendable (db: Database) throws -> [FileRecord] in
            let statement = FileListStatement(query, driver: try FileListStatement.driver(for: query, in: db))
            return try FileRow.records(joined: try Row.fetchAll(db, cachedSQL: statement.sql, arguments: statement.arguments))
        }
        // A tag or type filter first counts what its index holds (another statement) to choose
        // where the page is read from.
        let counts = query.tag != nil || query.contentTypePrefix != nil
        let rows = try await (counts ? self.read(page) : self.readOneStatement(page))
        var items = rows
        var next: FileCursor?
        if items.count > query.limit {
            items.removeLast(items.count - query.limit)
            next = items.last.map { FileCursor(after: $0, sort: query.sort) }
        }
        return FilePage(items: items, next: next)
    }

    func digests() async throws -> [BlobDigest] {
        try await self.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM files ORDER BY sha256").map { hex in
                guard let digest = BlobDigest(hex: hex) else { throw StorageError.malformedRow }
                return digest
            }
        }
    }

    func recordCheck(_ check: BlobCheck, of digest: BlobDigest, at time: Int64) async throws {
        try await self.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO blob_integrity (sha256, status, verified_at) VALUES (?, ?, ?)",
                arguments: [digest.hex, check.rawValue, time]
            )
        }
    }

    func integrity(of digest: BlobDigest) async throws -> Integrity? {
        try await self.read { db in try Self.integrity(of: digest.hex, in: db) }
    }

    func forgetIntegrity(of digest: BlobDigest) async throws {
        _ = try await self.write { db in
            try db.execute(sql: "DELETE FROM blob_integrity WHERE sha256 = ?", arguments: [digest.hex])
        }
    }

    func referenceCount(of digest: BlobDigest) async throws -> Int {
        try await self.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM files WHERE sha256 = ?", arguments: [digest.hex]) ?? 0
        }
    }

    /// The writing connection's `PRAGMA synchronous`: 2 (FULL) when durable, 1 (NORMAL) otherwise.
    func synchronousMode() async throws -> Int {
        try await self.database.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The writing connection's `PRAGMA data_version`, which another connection's commit changes.
    func dataVersion() async throws -> Int {
        try await Self.failingAsReads {
            try await self.database.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        }
    }

    func ping() async throws {
        _ = try await self.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        try await Self.failingAsReads { try await self.database.read(body) }
    }

    /// A read of one statement. SQLite runs each statement on a consistent snapshot of its own,
    /// so it needs none of the transaction `read` wraps around its work (a BEGIN and a COMMIT,
    /// a fifth of the database time of a small request). The readers are read-only connections.
    func readOneStatement<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        try await Self.failingAsReads { try await self.database.unsafeRead(body) }
    }

    /// A point read (one statement fetching a row by its key) made on the calling thread, on a
    /// connection of `PointReaders`.
    func readPoint<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try self.pointReaders.read(body)
        } catch {
            throw Self.readError(error)
        }
    }

    /// Database errors of a read as the storage's own.
    private static func failingAsReads<T>(_ read: () async throws -> T) async throws -> T {
        do {
            return try await read()
        } catch {
            throw Self.readError(error)
        }
    }

    private static func readError(_ error: any Error) -> any Error {
        if let error = error as? StorageError { return error }
        if Self.isBusy(error) { return StorageError.databaseBusy(cause: error) }
        return StorageError.database("failed to read", cause: error)
    }

    /// Another process held the database past the busy timeout.
    private static func isBusy(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await self.database.write(body)
        } catch let error as StorageError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw StorageError.deviceFull(cause: error)
        } catch  where Self.isBusy(error) {
            throw StorageError.databaseBusy(cause: error)
        } catch {
            throw StorageError.database("failed to write", cause: error)
        }
    }
}
