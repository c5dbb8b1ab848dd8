import App
import ArgumentParser
import Logging

/// `wharf files`: read the files of a storage root without a running server.
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "Inspect the files of a storage root.",
        subcommands: [List.self]
    )

    /// `wharf files list`: one line per file, newest first.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List files, newest first: id, owner, size, sha256, name.")

        @OptionGroup var storage: StorageOptions

        @Option(help: "At most this many files.")
        var limit: Int = 100

        @Option(help: "Only the files of this user.")
        var owner: String?

        func validate() throws {
            guard self.limit >= 1 else { throw ValidationError("--limit must be 1 or more, not \(self.limit).") }
        }

        func run() async throws {
            var configuration = AppConfiguration()
            configuration.storageDirectory = try self.storage.resolved()
            configuration.fsync = false
            let files = try await Wharf.newestFiles(
                configuration: configuration,
                limit: self.limit,
                ownedBy: self.owner,
                logger: Logger(label: "wharf")
            )
            for file in files {
                print("\(file.id)\t\(file.owner)\t\(file.size)\t\(file.sha256)\t\(file.name)")
            }
        }
    }
}
