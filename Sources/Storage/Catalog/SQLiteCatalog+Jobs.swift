import GRDB

extension SQLiteCatalog {
    /// Inserts a job unless one of the same kind and subject is waiting or running (a partial
    /// unique index says so; the insert is then ignored).
    static func enqueue(_ request: JobRequest, at time: Int64, runAfter: Int64? = nil, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO jobs (kind, subject, status, attempts, run_after, created_at, updated_at)
                VALUES (?, ?, 'queued', 0, ?, ?, ?)
                """,
            arguments: [request.kind.rawValue, request.subject, runAfter ?? time, time, time]
        )
    }

    func scheduleJob(_ request: JobRequest, runAfter: Int64, at time: Int64) async throws {
        try await self.write { db in try Self.enqueue(request, at: time, runAfter: runAfter, in: db) }
    }

    func nextJobDue() async throws -> Int64? {
        try await self.database.read { db in
            try Int64.fetchOne(db, sql: "SELECT min(run_after) FROM jobs WHERE status = ?", arguments: [JobStatus.queued.rawValue])
        }
    }

    func claimJob(now: Int64) async throws -> Job? {
        try await self.write { db in
            guard
                var row = try JobRow.filter(Column("status") == JobStatus.queued.rawValue && Column("run_after") <= now)
                    .order(Column("run_after"), Column("id")).fetchOne(db)
            else { return nil }
            row.status = JobStatus.running.rawValue
            row.attempts += 1
            row.updated_at = now
            try row.update(db)
            return try row.job()
        }
    }

    func completeJob(_ id: Int64, announcing event: EventKind?, at time: Int64) async throws {
        try await self.setJob(id, at: time) { row, db in
            row.status = JobStatus.done.rawValue
            row.last_error = nil
            if let event { try Self.announce(event, ofJobOn: row.subject, detail: nil, at: time, in: db) }
        }
    }

    func retryJob(_ id: Int64, error: String, runAfter: Int64, at time: Int64) async throws {
        try await self.setJob(id, at: time) { row, _ in
            row.status = JobStatus.queued.rawValue
            row.last_error = error
            row.run_after = runAfter
        }
    }

    func failJob(_ id: Int64, error: String, at time: Int64) async throws {
        try await self.setJob(id, at: time) { row, db in
            row.status = JobStatus.failed.rawValue
            row.last_error = error
            try Self.announce(.jobFailed, ofJobOn: row.subject, detail: error, at: time, in: db)
        }
    }

    func requeueRunningJobs(at time: Int64) async throws -> Int {
        try await self.write { db in
            try JobRow.filter(Column("status") == JobStatus.running.rawValue)
                .updateAll(db, Column("status").set(to: JobStatus.queued.rawValue), Column("updated_at").set(to: time))
        }
    }

    func removeDoneJobs(finishedBefore time: Int64, limit: Int) async throws -> Int {
        try await self.write { db in
            // The oldest first, as `jobs_by_status` holds them.
            try db.execute(
                sql: "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status = ? AND updated_at < ? ORDER BY id LIMIT ?)",
                arguments: [JobStatus.done.rawValue, time, limit]
            )
            return db.changesCount
        }
    }

    func jobs(status: JobStatus?, limit: Int) async throws -> [Job] {
        try await self.readOneStatement { db in
            let rows =
                if let status {
                    try JobRow.fetchAll(db.cachedStatement(sql: Self.jobsOfStatusSQL), arguments: [status.rawValue, limit])
                } else {
                    try JobRow.order(Column("id").desc).limit(limit).fetchAll(db)
                }
            return try rows.map { try $0.job() }
        }
    }

    /// The newest jobs of a status, from an index in their order (jobs are kept: sorting every
    /// done one took 0.02 s for 50,000).
    static let jobsOfStatusSQL = "SELECT * FROM jobs WHERE status = ? ORDER BY id DESC LIMIT ?"

    func jobCounts() async throws -> [JobCount] {
        try await self.readOneStatement { db in
            try Row.fetchAll(db.cachedStatement(sql: Self.jobCountsSQL)).map { row in
                guard let status = JobStatus(rawValue: row["status"]) else { throw StorageError.malformedRow }
                return JobCount(kind: JobKind(rawValue: row["kind"]), status: status, count: row["count"])
            }
        }
    }

    /// How many jobs of each kind have each status, counted in an index alone (every 5 s, for the
    /// jobs' gauges).
    static let jobCountsSQL = "SELECT kind, status, COUNT(*) AS count FROM jobs GROUP BY kind, status ORDER BY kind, status"

    func latestJob(kind: JobKind, subject: String) async throws -> Job? {
        try await self.readOneStatement { db in
            try JobRow.fetchOne(db.cachedStatement(sql: Self.latestJobSQL), arguments: [kind.rawValue, subject])?.job()
        }
    }

    /// The newest job of a kind and subject (jobs are kept, done ones too: read from an index).
    static let latestJobSQL = "SELECT * FROM jobs WHERE kind = ? AND subject = ? ORDER BY id DESC LIMIT 1"

    private func setJob(_ id: Int64, at time: Int64, _ change: @Sendable @escaping (inout JobRow, Database) throws -> Void) async throws {
        try await self.write { db in
            guard var row = try JobRow.fetchOne(db, key: id) else { throw StorageError.jobNotFound(id) }
            try change(&row, db)
            row.updated_at = time
            try row.update(db)
        }
    }
}

/// The `jobs` table's row; column names are the table's.
struct JobRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "jobs"

    var id: Int64
    var kind: String
    var subject: String
    var status: String
    var attempts: Int
    var run_after: Int64
    var last_error: String?
    var created_at: Int64
    var updated_at: Int64

    func job() throws -> Job {
        guard let status = JobStatus(rawValue: self.status) else { throw StorageError.malformedRow }
        return Job(
            id: self.id,
            kind: JobKind(rawValue: self.kind),
            subject: self.subject,
            status: status,
            attempts: self.attempts,
            runAfter: self.run_after,
            lastError: self.last_error,
            createdAt: self.created_at,
            updatedAt: self.updated_at
        )
    }
}
