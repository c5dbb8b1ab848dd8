public import Logging
public import Storage

/// The periodic removal of jobs done more than a while ago (GoodJob keeps them 14 days, Oban a
/// minute): each upload of an image leaves one, and a queue that keeps every one grows with the
/// files for good. Failed jobs stay, for an admin to see why.
public struct DoneJobsRemovalJob: JobHandler {
    /// The kind of these jobs.
    public static let kind = JobKind(rawValue: "remove-done-jobs")
    /// The one such job: every done job is its subject.
    public static let request = JobRequest(kind: kind, subject: "jobs")

    let queue: JobQueue
    let retention: Duration?
    let logger: Logger

    /// A removal from `queue` of the jobs done more than `retention` ago (`nil`: none, for a job
    /// a run with a retention queued before this one started without).
    public init(queue: JobQueue, retention: Duration?, logger: Logger) {
        self.queue = queue
        self.retention = retention
        self.logger = logger
    }

    public func run(_ job: Job) async throws {
        guard let retention = self.retention else { return }
        let removed = try await self.queue.removeDone(olderThan: retention)
        if removed > 0 { self.logger.info("Removed jobs done long ago", metadata: ["count": "\(removed)"]) }
    }
}
