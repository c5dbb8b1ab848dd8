import App
import ArgumentParser
import Logging

/// `wharf jobs`: the background jobs of a storage root, without a running server.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Inspect the background jobs of a storage root.",
        subcommands: [List.self]
    )

    /// `wharf jobs list [--status S]`: one line per job, newest first.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first: id, kind, status, attempts, subject, last error.")

        @OptionGroup var storage: StorageOptions

        @Option(help: "Only jobs with this status: queued, running, done or failed.")
        var status: String?

        @Option(help: "At most this many jobs.")
        var limit: Int = 100

        func validate() throws {
            guard self.limit >= 1 else { throw ValidationError("--limit must be 1 or more, not \(self.limit).") }
        }

        func run() async throws {
            var configuration = AppConfiguration()
            configuration.storageDirectory = try self.storage.resolved()
            let jobs = try await Wharf.jobs(
                configuration: configuration,
                status: self.status,
                limit: self.limit,
                logger: Logger(label: "wharf")
            )
            for job in jobs {
                print("\(job.id)\t\(job.kind)\t\(job.status)\t\(job.attempts)\t\(job.subject)\t\(job.last_error ?? "")")
            }
        }
    }
}
