public import CoreMetrics
public import Logging
public import Storage

/// The periodic scrub: every stored content read again against its SHA-256 (what it finds is kept
/// on the records), and blobs no record references removed once older than `orphanGrace`. Each
/// finding is logged; gauges keep the last scrub's counts.
public struct ScrubJob: JobHandler {
    /// The kind of scrub jobs.
    public static let kind = JobKind(rawValue: "scrub")
    /// The one scrub job: the whole storage is its subject.
    public static let request = JobRequest(kind: kind, subject: "storage")

    let files: FilesService
    let orphanGrace: Duration
    let metrics: any MetricsFactory
    let logger: Logger

    /// A scrub of `files`, reporting to `metrics` and `logger`.
    public init(files: FilesService, orphanGrace: Duration, metrics: any MetricsFactory, logger: Logger) {
        self.files = files
        self.orphanGrace = orphanGrace
        self.metrics = metrics
        self.logger = logger
    }

    public func run(_ job: Job) async throws {
        let report = try await self.files.scrub(orphanGrace: self.orphanGrace.components.seconds)
        for digest in report.corrupt {
            self.logger.error("A stored content is corrupt: its bytes no longer match its SHA-256", metadata: ["sha256": "\(digest.hex)"])
        }
        for digest in report.missing {
            self.logger.error("A stored content is missing: its blob is gone", metadata: ["sha256": "\(digest.hex)"])
        }
        self.logger.notice(
            "Scrubbed the storage",
            metadata: [
                "checked": "\(report.checked)", "corrupt": "\(report.corrupt.count)", "missing": "\(report.missing.count)",
                "orphans_removed": "\(report.orphansRemoved)",
            ]
        )
        for (finding, count) in [("checked", report.checked), ("corrupt", report.corrupt.count), ("missing", report.missing.count)] {
            Gauge(label: "wharf_scrub_contents", dimensions: [("finding", finding)], factory: self.metrics).record(count)
        }
        Counter(label: "wharf_scrub_orphans_removed_total", factory: self.metrics).increment(by: Int64(report.orphansRemoved))
    }
}
