import ArgumentParser

/// The storage root, shared by every subcommand that touches data, so the CLI and the server
/// always agree on where files are.
struct StorageOptions: ParsableArguments {
    @Option(name: .long, help: "Storage root: metadata database, blobs and staging files (env WHARF_STORAGE; default ./uploads).")
    var storage: String?

    func resolved() throws -> String {
        try EnvironmentOption.resolve(self.storage, "WHARF_STORAGE", default: "./uploads") { $0 }
    }
}
