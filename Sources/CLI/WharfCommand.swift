import ArgumentParser

/// `wharf`: the command line of the service.
@main
struct WharfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wharf",
        abstract: "A file upload and static asset service.",
        subcommands: [ServeCommand.self, FilesCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
