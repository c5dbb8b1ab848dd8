/// Where jobs are kept: the metadata database, beside the records they follow. Only `JobQueue`
/// uses it; enqueuing happens in a unit of work (`UnitOfWork.Write.enqueue`).
public protocol JobCatalog: Sendable {
    /// Notified after each commit of this process that changes the jobs; commits of other
    /// processes are not seen (a PostgreSQL catalog would relay its NOTIFY here).
    var jobCommits: CommitSignal { get }
    /// Queues a job to run after `runAfter`, unless one of the same kind and subject is waiting or running.
    func scheduleJob(_ request: JobRequest, runAfter: Int64, at time: Int64) async throws
    /// When the soonest queued job is due, if any is queued.
    func nextJobDue() async throws -> Int64?
    /// Takes the oldest queued job due at `now` and marks it running (one more attempt), if any.
    func claimJob(now: Int64) async throws -> Job?
    /// Marks a job done, announcing `event` (if any) to the files of its subject in the same transaction.
    func completeJob(_ id: Int64, announcing event: EventKind?, at time: Int64) async throws
    /// Queues a job again, to run after `runAfter`, keeping `error` as its last error.
    func retryJob(_ id: Int64, error: String, runAfter: Int64, at time: Int64) async throws
    /// Marks a job failed for good with `error`, announcing `job.failed` to the files of its
    /// subject (to admins when it has none) in the same transaction.
    func failJob(_ id: Int64, error: String, at time: Int64) async throws
    /// Queues every running job again (they were cut off by a crash); how many.
    func requeueRunningJobs(at time: Int64) async throws -> Int
    /// Jobs with `status` (any when `nil`), newest first, at most `limit`.
    func jobs(status: JobStatus?, limit: Int) async throws -> [Job]
    /// How many jobs there are by kind and status.
    func jobCounts() async throws -> [JobCount]
    /// The newest job of `kind` on `subject`, if any.
    func latestJob(kind: JobKind, subject: String) async throws -> Job?
    /// Removes up to `limit` of the oldest jobs done before `time`; how many.
    func removeDoneJobs(finishedBefore time: Int64, limit: Int) async throws -> Int
}

/// How many jobs of a kind have a status.
public struct JobCount: Sendable, Equatable {
    /// The kind.
    public let kind: JobKind
    /// The status.
    public let status: JobStatus
    /// How many.
    public let count: Int
}
