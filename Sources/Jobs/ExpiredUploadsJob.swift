public import Logging
public import Storage

/// The periodic removal of resumable uploads not finished in time (and of finished ones, whose
/// status stays readable until then).
public struct ExpiredUploadsJob: JobHandler {
    /// The kind of these jobs.
    public static let kind = JobKind(rawValue: "expire-uploads")
    /// The one such job: every resumable upload is its subject.
    public static let request = JobRequest(kind: kind, subject: "resumable")

    let uploads: ResumableUploads
    let logger: Logger

    /// A sweep of `uploads`.
    public init(uploads: ResumableUploads, logger: Logger) {
        self.uploads = uploads
        self.logger = logger
    }

    public func run(_ job: Job) async throws {
        let removed = try await self.uploads.removeExpired()
        if removed > 0 { self.logger.info("Removed expired resumable uploads", metadata: ["count": "\(removed)"]) }
    }
}
