import App
import ArgumentParser
import Foundation
import Storage

/// `wharf files`: read the catalog of a storage root without a running server.
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "Inspect the files of a storage root.",
        subcommands: [List.self]
    )

    /// `wharf files list`: one line per file, newest first.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List files, newest first: id, size, sha256, name.")

        @OptionGroup var storage: StorageOptions

        @Option(help: "At most this many files.")
        var limit: Int = 100

        func run() async throws {
            let root = try self.storage.resolved()
            guard FileManager.default.fileExists(atPath: root + "/wharf.sqlite") else {
                throw ValidationError("No Wharf storage at '\(root)'.")
            }
            let catalog = try SQLiteCatalog(path: root + "/wharf.sqlite", durable: false)
            let page = try await catalog.list(FileListQuery(limit: max(1, self.limit)))
            for file in page.items {
                print("\(file.id)\t\(file.size)\t\(file.digest)\t\(file.name)")
            }
        }
    }
}
