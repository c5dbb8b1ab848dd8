import GRDB

extension SQLiteCatalog {
    /// Writes the event of a committed change, in the change's transaction; a change that changed
    /// nothing has none.
    static func announce(_ change: FileChange, at time: Int64, in db: Database) throws {
        let kind: EventKind
        switch change {
        case .created: kind = .fileCreated
        case .updated: kind = .fileUpdated
        case .deleted: kind = .fileDeleted
        case .unchanged: return
        }
        try db.execute(
            sql: "INSERT INTO events (kind, file_id, owner, at) VALUES (?, ?, ?, ?)",
            arguments: [kind.rawValue, change.record.id.rawValue, change.record.owner, time]
        )
        try self.trimEvents(in: db)
    }

    /// Writes the events of a job's outcome, in the transaction that records it: one per file of
    /// the job's subject (a blob's digest); for a job of no file, a failure only, seen by admins.
    static func announce(_ kind: EventKind, ofJobOn subject: String, detail: String?, at time: Int64, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO events (kind, file_id, owner, at, detail) SELECT ?, id, owner, ?, ? FROM files WHERE sha256 = ? ORDER BY id",
            arguments: [kind.rawValue, time, detail, subject]
        )
        if db.changesCount == 0 && kind == .jobFailed {
            try db.execute(sql: "INSERT INTO events (kind, at, detail) VALUES (?, ?, ?)", arguments: [kind.rawValue, time, detail])
        }
        try self.trimEvents(in: db)
    }

    /// Keeps only the newest `EventLog.backlog` events: a range delete on the primary key.
    static func trimEvents(in db: Database) throws {
        try db.execute(sql: "DELETE FROM events WHERE id <= ?", arguments: [db.lastInsertedRowID - Int64(EventLog.backlog)])
    }

    func events(after id: Int64, visibleTo owner: String?, limit: Int) async throws -> [Event] {
        try await self.readOneStatement { db in
            let rows = try Row.fetchAll(
                db,
                cachedSQL: "SELECT * FROM events WHERE id > ? AND (? IS NULL OR owner = ?) ORDER BY id LIMIT ?",
                arguments: [id, owner, owner, limit]
            )
            return try rows.map { row in
                guard let kind = EventKind(rawValue: row["kind"]) else { throw StorageError.malformedRow }
                let fileID: FileID?
                if let text: String = row["file_id"] {
                    guard let id = FileID(text) else { throw StorageError.malformedRow }
                    fileID = id
                } else {
                    fileID = nil
                }
                return Event(id: row["id"], kind: kind, fileID: fileID, owner: row["owner"], at: row["at"], detail: row["detail"])
            }
        }
    }

    func latestEventID() async throws -> Int64 {
        try await self.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM events") ?? 0 }
    }
}
