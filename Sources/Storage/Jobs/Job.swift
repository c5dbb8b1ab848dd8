/// A piece of background work kept in the metadata database, so that it survives a crash: it is
/// enqueued in the transaction that commits the change it follows, and runs until it is done or
/// has failed too often.
public struct Job: Sendable, Equatable {
    /// Increasing with each job enqueued.
    public let id: Int64
    /// What is to be done.
    public let kind: JobKind
    /// What it is done to (for a thumbnail, the blob's digest in hex).
    public let subject: String
    /// Where it stands.
    public var status: JobStatus
    /// How many times it has been started.
    public var attempts: Int
    /// It is not started before this time (microseconds since 1970): a retry waits its backoff.
    public var runAfter: Int64
    /// Why the last attempt failed, if it did.
    public var lastError: String?
    /// When it was enqueued and last changed, in microseconds since 1970.
    public let createdAt: Int64
    public var updatedAt: Int64
}

/// Where a job stands.
public enum JobStatus: String, Sendable, CaseIterable {
    /// Waiting for a worker (or for its retry time).
    case queued
    /// A worker has it (a job left `running` by a crash is queued again at start).
    case running
    /// Finished.
    case done
    /// Failed as often as allowed; its last error says why.
    case failed
}

/// The kind of a job: which handler runs it.
public struct JobKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { self.rawValue }
}

/// A job to enqueue: a kind and a subject. A job of the same kind and subject that is already
/// waiting or running is not enqueued twice.
public struct JobRequest: Sendable, Hashable {
    /// What is to be done.
    public let kind: JobKind
    /// What it is done to.
    public let subject: String

    /// A request for `kind` on `subject`.
    public init(kind: JobKind, subject: String) {
        self.kind = kind
        self.subject = subject
    }
}
