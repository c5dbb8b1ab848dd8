import ArgumentParser
import NIOCore
import NIOPosix

/// `wharf`: the command line of the service.
@main
struct WharfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wharf",
        abstract: "A file upload and static asset service.",
        subcommands: [ServeCommand.self, FilesCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    static func main() async {
        // Swift tasks then run on NIO's event loops: a request's handler runs on the thread that
        // reads its socket, without a hop to the cooperative pool and back (SwiftNIO's advice for
        // servers). Nothing in Wharf blocks a task: file and database work has its own threads.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await self.main(nil)
    }
}
