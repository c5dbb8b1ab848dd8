public import CoreMetrics
public import Logging
public import ServiceLifecycle
public import Storage
import Synchronization

/// Works the job queue beside the HTTP server (a ServiceLifecycle service): `workers` tasks each
/// take the oldest due job, run its kind's handler, and mark it done, retried after a backoff, or
/// failed for good with its error. Jobs a crash left running are queued again when it starts. On
/// graceful shutdown no new job is taken; running ones finish (within the service group's bound)
/// and the rest stay queued for the next start.
public final class JobRunner: Service, Sendable {
    let queue: JobQueue
    let handlers: [JobKind: any JobHandler]
    let workers: Int
    let retry: RetryPolicy
    let recheck: Duration
    let periodic: [JobRequest: Duration]
    let afterJob: @Sendable () -> Void
    let metrics: any MetricsFactory
    let logger: Logger
    private let stopping = Atomic<Bool>(false)

    /// A runner of `workers` tasks over `queue`, with a handler per kind. An idle worker wakes when
    /// this process commits a change to the jobs or the next one falls due, and looks every
    /// `recheck` besides, for jobs other processes queued. Each `periodic` job runs once per its interval: it is queued an
    /// interval ahead at start (unless it already waits) and again each time it ends. `afterJob`
    /// runs once each job's outcome is recorded (the server wakes its live event streams).
    public init(
        queue: JobQueue,
        handlers: [JobKind: any JobHandler],
        workers: Int,
        retry: RetryPolicy,
        periodic: [JobRequest: Duration] = [:],
        afterJob: @escaping @Sendable () -> Void = {},
        recheck: Duration = .seconds(5),
        metrics: any MetricsFactory,
        logger: Logger
    ) {
        self.queue = queue
        self.handlers = handlers
        self.workers = max(1, workers)
        self.retry = retry
        self.periodic = periodic
        self.afterJob = afterJob
        self.recheck = recheck
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let requeued = try await self.queue.requeueInterrupted()
        if requeued > 0 { self.logger.notice("Queued again jobs an earlier run left unfinished", metadata: ["count": "\(requeued)"]) }
        for (request, interval) in self.periodic { try await self.queue.schedule(request, after: interval) }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<self.workers { group.addTask { await self.work() } }
                // The report sleeps between rounds: cut short at shutdown, it holds nothing up.
                group.addTask { await cancelWhenGracefulShutdown { await self.reportDepth() } }
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.queue.commits.notify()  // idle workers look, and see the runner stopping
        }
    }

    var isStopping: Bool { self.stopping.load(ordering: .relaxed) || Task.isCancelled }

    /// Takes due jobs one after another; with none due, waits for a commit that changes the jobs,
    /// for the soonest queued one to fall due, or for `recheck`, whichever comes first.
    func work() async {
        await self.queue.commits.withWakes { wakes, wake in
            var wakes = wakes.makeAsyncIterator()
            while !self.isStopping {
                let pause: Duration
                do {
                    if let job = try await self.queue.claim() {
                        try await self.execute(job)
                        continue
                    }
                    pause = min(try await self.queue.untilNextDue() ?? self.recheck, self.recheck)
                } catch {
                    self.logger.error("The job queue failed", metadata: ["error": "\(error)"])
                    pause = self.recheck
                }
                let timer = Task {
                    try await Task.sleep(for: pause)
                    wake.yield(.timeUp)
                }
                _ = await wakes.next()
                timer.cancel()
            }
        }
    }

    func execute(_ job: Job) async throws {
        let dimensions = [("kind", job.kind.rawValue)]
        let started = ContinuousClock.now
        do {
            guard let handler = self.handlers[job.kind] else { throw JobError.noHandler(job.kind) }
            try await handler.run(job)
            try await self.queue.complete(job, announcing: handler.completionEvent)
            Counter(label: "wharf_jobs_total", dimensions: dimensions + [("outcome", "done")], factory: self.metrics).increment()
        } catch {
            let reason = "\(error)"
            if job.attempts < self.retry.maxAttempts && !(error is JobError) {
                let delay = self.retry.delay(afterAttempt: job.attempts)
                try await self.queue.retry(job, error: reason, after: delay)
                Counter(label: "wharf_jobs_total", dimensions: dimensions + [("outcome", "retried")], factory: self.metrics).increment()
                self.logger.warning(
                    "A job failed; it will be retried",
                    metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempts)", "error": "\(reason)"]
                )
            } else {
                try await self.queue.fail(job, error: reason)
                Counter(label: "wharf_jobs_total", dimensions: dimensions + [("outcome", "failed")], factory: self.metrics).increment()
                self.logger.error("A job failed for good", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "error": "\(reason)"])
            }
        }
        self.afterJob()
        if let interval = self.periodic[JobRequest(kind: job.kind, subject: job.subject)] {
            try await self.queue.schedule(JobRequest(kind: job.kind, subject: job.subject), after: interval)
        }
        let elapsed = ContinuousClock.now - started
        Timer(label: "wharf_job_duration_seconds", dimensions: dimensions, factory: self.metrics)
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    /// Keeps `wharf_jobs{kind,status}` (jobs by kind and status) current.
    func reportDepth() async {
        while !self.isStopping {
            if let counts = try? await self.queue.counts() {
                for count in counts {
                    Gauge(label: "wharf_jobs", dimensions: [("kind", count.kind.rawValue), ("status", count.status.rawValue)], factory: self.metrics)
                        .record(count.count)
                }
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }
}

/// A job that cannot run at all (no retry helps).
public struct JobError: Error, CustomStringConvertible {
    /// Why.
    public let description: String

    /// No handler is registered for the job's kind.
    static func noHandler(_ kind: JobKind) -> JobError {
        JobError(description: "No handler runs jobs of kind '\(kind)'.")
    }

    /// A job that a handler refuses for good, with its reason.
    public static func permanent(_ reason: String) -> JobError {
        JobError(description: reason)
    }
}
