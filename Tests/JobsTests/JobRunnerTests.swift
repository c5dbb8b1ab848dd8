import Foundation
import Jobs
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import Storage
import Synchronization
import TestSupport
import Testing

/// The job queue and its runner over a real storage root: jobs enqueued with the file that calls
/// for them, retried with backoff, failed for good with their error, and run again after a crash.
/// The runners here look on their own only once an hour, so every job they run woke them.
@Suite struct JobRunnerTests {
    static let kind = JobKind(rawValue: "test")

    /// Fails its first `failures` attempts of each job, then succeeds; counts the attempts.
    final class FlakyHandler: JobHandler {
        let failures: Int
        let attempts = Mutex<[String: Int]>([:])

        init(failures: Int) { self.failures = failures }

        func run(_ job: Job) async throws {
            let attempt = self.attempts.withLock { attempts in
                attempts[job.subject, default: 0] += 1
                return attempts[job.subject]!
            }
            if attempt <= self.failures { throw Failure(description: "attempt \(attempt) failed") }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A storage root whose text uploads each call for a test job on their digest.
    static func storage() async throws -> (TemporaryDirectory, FilesService, JobQueue) {
        let directory = try TemporaryDirectory()
        let opened = try await LocalStorage.open(root: directory.path, durable: false)
        let files = opened.files.enqueuing { contentType, digest in
            contentType.hasPrefix("text/") ? [JobRequest(kind: Self.kind, subject: digest.hex)] : []
        }
        return (directory, files, opened.jobs)
    }

    static func upload(_ text: String, type: String = "text/plain", to files: FilesService) async throws -> FileRecord {
        let staging = try await files.stage()
        try await staging.write(.init(string: text))
        let staged = try await staging.finish()
        return try await files.create(
            [NewFile(staged: staged, metadata: FileMetadata(name: "a.txt"), contentType: type, declaredContentType: nil)],
            as: .local
        )[0]
    }

    static func runner(
        _ queue: JobQueue,
        _ handler: any JobHandler,
        maxAttempts: Int = 5,
        periodic: [JobRequest: Duration] = [:]
    ) -> JobRunner {
        JobRunner(
            queue: queue,
            handlers: [Self.kind: handler],
            workers: 2,
            retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100)),
            periodic: periodic,
            recheck: .seconds(3600),
            metrics: NOOPMetricsHandler.instance,
            logger: Logger(label: "test")
        )
    }

    @Test func aJobIsEnqueuedWithItsFileOnceAndNotForOtherContent() async throws {
        let (directory, files, queue) = try await Self.storage()
        defer { withExtendedLifetime(directory) {} }
        let record = try await Self.upload("hello", to: files)
        _ = try await Self.upload("hello", to: files)
        _ = try await Self.upload("%PDF", type: "application/pdf", to: files)
        let jobs = try await queue.list()
        #expect(jobs.map(\.subject) == [record.digest.hex], "one pending job per kind and subject; none for the PDF")
        #expect(jobs.first?.status == .queued && jobs.first?.attempts == 0)
    }

    @Test func aJobThatFailsTwiceThenSucceedsIsDone() async throws {
        let (directory, files, queue) = try await Self.storage()
        defer { withExtendedLifetime(directory) {} }
        _ = try await Self.upload("flaky", to: files)
        let handler = FlakyHandler(failures: 2)
        let running = Task { try await Self.runner(queue, handler).run() }
        defer { running.cancel() }
        try await waitUntil("the job is done") { try await queue.list(status: .done).count == 1 }
        let job = try #require(try await queue.list().first)
        #expect(job.attempts == 3 && job.lastError == nil)
    }

    @Test func aJobThatKeepsFailingIsFailedWithItsError() async throws {
        let (directory, files, queue) = try await Self.storage()
        defer { withExtendedLifetime(directory) {} }
        _ = try await Self.upload("hopeless", to: files)
        let running = Task { try await Self.runner(queue, FlakyHandler(failures: 100), maxAttempts: 3).run() }
        defer { running.cancel() }
        try await waitUntil("the job fails") { try await queue.list(status: .failed).count == 1 }
        let job = try #require(try await queue.list().first)
        #expect(job.attempts == 3 && job.lastError == "attempt 3 failed")
    }

    /// Done jobs are removed once they are older than the retention, by `DoneJobsRemovalJob`;
    /// failed and queued ones stay, as do done ones within it.
    @Test func doneJobsAreRemovedPastTheirRetentionAndNoOthers() async throws {
        let (directory, files, queue) = try await Self.storage()
        defer { withExtendedLifetime(directory) {} }
        for (text, failures, outcome) in [("done", 0, JobStatus.done), ("failed", 100, .failed)] {
            _ = try await Self.upload(text, to: files)
            let running = Task { try await Self.runner(queue, FlakyHandler(failures: failures), maxAttempts: 1).run() }
            try await waitUntil("the job of '\(text)' ends") { try await queue.list(status: outcome).count == 1 }
            // Stopped before the next upload, whose job it would otherwise run.
            running.cancel()
            try await running.value
        }
        _ = try await Self.upload("queued", to: files)
        let removal = try #require(try await queue.list().first)
        let logger = Logger(label: "test")
        try await DoneJobsRemovalJob(queue: queue, retention: .seconds(3600), logger: logger).run(removal)
        #expect(try await queue.list().count == 3, "the done job is within the retention")
        try await DoneJobsRemovalJob(queue: queue, retention: nil, logger: logger).run(removal)
        #expect(try await queue.list().count == 3, "no retention removes none")
        try await Task.sleep(for: .milliseconds(2))
        try await DoneJobsRemovalJob(queue: queue, retention: .milliseconds(1), logger: logger).run(removal)
        #expect(Set(try await queue.list().map(\.status)) == [.failed, .queued])
    }

    /// A periodic job waits its interval after the start, runs, and is queued again an interval
    /// ahead each time it ends (failed or done); a restart keeps the one waiting.
    @Test func aPeriodicJobRunsOncePerIntervalAndOnlyOneWaits() async throws {
        let (directory, _, queue) = try await Self.storage()
        defer { withExtendedLifetime(directory) {} }
        let request = JobRequest(kind: Self.kind, subject: "everything")
        let handler = FlakyHandler(failures: 1)
        let started = ContinuousClock.now
        let runner = Self.runner(queue, handler, maxAttempts: 1, periodic: [request: .milliseconds(300)])
        let group = ServiceGroup(configuration: .init(services: [runner], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        try await waitUntil("the job ran twice") { handler.attempts.withLock { $0["everything"] ?? 0 } >= 2 }
        #expect(ContinuousClock.now - started >= .milliseconds(600), "each run waited its interval")
        await group.triggerGracefulShutdown()
        try await running.value
        let jobs = try await queue.list()
        #expect(jobs.filter { $0.status == .queued }.count == 1, "one run waits for the next interval")
        #expect(jobs.contains { $0.status == .failed && $0.lastError == "attempt 1 failed" } && jobs.contains { $0.status == .done })
        try await queue.schedule(request, after: .zero)
        let pending = try await queue.list().filter { [.queued, .running].contains($0.status) }
        #expect(pending.count == 1, "scheduling again keeps the one waiting")
    }

    /// An idle worker takes a job as soon as its file commits, not at its next timed look (an
    /// hour away here), and an idle runner stops at once.
    @Test func anIdleRunnerWakesForANewJobAndStopsAtOnce() async throws {
        let (directory, files, queue) = try await Self.storage()
        defer { withExtendedLifetime(directory) {} }
        let handler = FlakyHandler(failures: 0)
        let group = ServiceGroup(configuration: .init(services: [Self.runner(queue, handler)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(200))
        _ = try await Self.upload("late", to: files)
        try await waitUntil("the job is done", timeout: .seconds(10)) { try await queue.list(status: .done).count == 1 }
        let stopping = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(ContinuousClock.now - stopping < .seconds(10), "the idle workers did not wait for their timed look")
    }

    /// A job that was running when the process died is run again at the next start.
    @Test func aJobCutOffByACrashRunsAgain() async throws {
        let (directory, files, queue) = try await Self.storage()
        defer { withExtendedLifetime(directory) {} }
        _ = try await Self.upload("interrupted", to: files)
        let claimed = try #require(try await queue.claim())
        let second = try await queue.claim()
        #expect(claimed.status == .running && second == nil)
        let handler = FlakyHandler(failures: 0)
        let running = Task { try await Self.runner(queue, handler).run() }
        defer { running.cancel() }
        try await waitUntil("the job is done") { try await queue.list(status: .done).count == 1 }
        #expect(handler.attempts.withLock { $0.values.reduce(0, +) } == 1)
    }

    @Test func theBackoffDoublesUpToItsLimit() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .seconds(2), maxDelay: .seconds(60))
        #expect((1...7).map { policy.delay(afterAttempt: $0) } == [2, 4, 8, 16, 32, 60, 60].map { .seconds($0) })
    }
}
