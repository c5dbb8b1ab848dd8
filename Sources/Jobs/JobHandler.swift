public import Storage

/// Runs the jobs of one kind. A handler must be idempotent: a job cut off by a crash runs again.
public protocol JobHandler: Sendable {
    /// Does the job's work; a thrown error is the attempt's failure, retried by the runner's policy.
    func run(_ job: Job) async throws
    /// The event that announces a job of this kind done to the owners of its subject's files, if any.
    var completionEvent: EventKind? { get }
}

extension JobHandler {
    /// No event announces a job of this kind when it is done.
    public var completionEvent: EventKind? { nil }
}
