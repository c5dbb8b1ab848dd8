import TextBytes

/// The one door to the job queue, for the runner that works it and the views that show it. Jobs
/// are enqueued with the changes they follow, in the files service's units of work.
public struct JobQueue: Sendable {
    private let catalog: any JobCatalog

    /// The queue kept in `catalog`.
    public init(catalog: any JobCatalog) {
        self.catalog = catalog
    }

    /// Queues a job to run `delay` from now, unless one of the same kind and subject is already
    /// waiting or running (then that one stands).
    public func schedule(_ request: JobRequest, after delay: Duration) async throws {
        let now = FilesService.now()
        try await self.catalog.scheduleJob(request, runAfter: now + delay.microseconds, at: now)
    }

    /// Notified after each commit of this process that changes the jobs: a worker with nothing to
    /// do waits for it, or for the next job to fall due (`untilNextDue()`).
    public var commits: CommitSignal { self.catalog.jobCommits }

    /// How long until the soonest queued job is due (zero when one is due already); `nil` when
    /// none is queued.
    public func untilNextDue() async throws -> Duration? {
        guard let due = try await self.catalog.nextJobDue() else { return nil }
        return .microseconds(max(0, due - FilesService.now()))
    }

    /// Takes the oldest due job, marking it running; `nil` when none is due.
    public func claim() async throws -> Job? {
        try await self.catalog.claimJob(now: FilesService.now())
    }

    /// Marks a job done, announcing `event` (if any) to the owners of the files of its subject.
    public func complete(_ job: Job, announcing event: EventKind? = nil) async throws {
        try await self.catalog.completeJob(job.id, announcing: event, at: FilesService.now())
    }

    /// Queues a job again after `delay`, with the error of its failed attempt.
    public func retry(_ job: Job, error: String, after delay: Duration) async throws {
        let now = FilesService.now()
        try await self.catalog.retryJob(job.id, error: error, runAfter: now + delay.microseconds, at: now)
    }

    /// Marks a job failed for good, announcing it (`job.failed`) to the owners of the files of its subject.
    public func fail(_ job: Job, error: String) async throws {
        try await self.catalog.failJob(job.id, error: error, at: FilesService.now())
    }

    /// Queues again the jobs a crash left running; how many. Called at start, before any worker.
    public func requeueInterrupted() async throws -> Int {
        try await self.catalog.requeueRunningJobs(at: FilesService.now())
    }

    /// Jobs with `status` (any when `nil`), newest first.
    public func list(status: JobStatus? = nil, limit: Int = 100) async throws -> [Job] {
        try await self.catalog.jobs(status: status, limit: limit)
    }

    /// How many jobs there are by kind and status.
    public func counts() async throws -> [JobCount] {
        try await self.catalog.jobCounts()
    }

    /// Removes the jobs done more than `age` ago (failed, queued and running ones stay); how many.
    /// A batch at a time, each its own short write, so that uploads never wait long behind it.
    public func removeDone(olderThan age: Duration) async throws -> Int {
        let cutoff = FilesService.now() - age.microseconds
        var removed = 0
        while true {
            let batch = try await self.catalog.removeDoneJobs(finishedBefore: cutoff, limit: 1000)
            removed += batch
            if batch < 1000 { return removed }
        }
    }

    /// The newest job of `kind` on `subject`, if any: where the work for it stands.
    public func latest(kind: JobKind, subject: String) async throws -> Job? {
        try await self.catalog.latestJob(kind: kind, subject: subject)
    }
}
