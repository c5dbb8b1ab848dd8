import Storage
import TextBytes

/// A job as `GET /api/jobs` and `wharf jobs list` show it.
public struct JobBody: Codable, Sendable {
    public let id: Int64
    public let kind: String
    public let subject: String
    public let status: String
    public let attempts: Int
    public let last_error: String?
    public let run_after: String
    public let created_at: String
    public let updated_at: String

    init(_ job: Job) {
        self.id = job.id
        self.kind = job.kind.rawValue
        self.subject = job.subject
        self.status = job.status.rawValue
        self.attempts = job.attempts
        self.last_error = job.lastError
        self.run_after = RFC3339.format(microseconds: job.runAfter)
        self.created_at = RFC3339.format(microseconds: job.createdAt)
        self.updated_at = RFC3339.format(microseconds: job.updatedAt)
    }
}
