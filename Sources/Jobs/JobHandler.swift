public import Storage

/// Runs the jobs of one kind. A handler must be idempotent: a job cut off by a crash runs again.
public protocol JobHandler: Sendable {
    /// Does the job's work; a thrown error is the attempt's failure, retried by the runner's policy.
    func run(_ job: Job) async throws
}
