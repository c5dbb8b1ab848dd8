import App
import ArgumentParser
import Logging

/// `wharf scrub`: reads every stored content again against its SHA-256 and removes blobs no record
/// references, on a root no server holds (refused while one does); exits 1 when any content is
/// corrupt or missing.
struct ScrubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scrub",
        abstract: "Check every stored file against its SHA-256 and remove blobs no file references."
    )

    @OptionGroup var storage: StorageOptions

    @Option(
        help: "Unreferenced blobs younger than this are left alone: an upload may be recording them (default 1h).",
        transform: DurationText.argument
    )
    var orphanGrace = DurationText(.seconds(3600))

    func run() async throws {
        var configuration = AppConfiguration()
        configuration.storageDirectory = try self.storage.resolved()
        let report = try await Wharf.scrub(configuration: configuration, orphanGrace: self.orphanGrace, logger: Logger(label: "wharf"))
        for line in report.lines { print(line) }
        if !report.isClean { throw ExitCode(1) }
    }
}
