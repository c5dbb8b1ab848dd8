import ArgumentParser
import NIOCore
import NIOPosix
import Thumbnails

/// `wharf`: the command line of the service.
@main
struct WharfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wharf",
        abstract: "A file upload and static asset service.",
        subcommands: [ServeCommand.self, FilesCommand.self, UserCommand.self, JobsCommand.self, ScrubCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    static func main() async {
        // Before any other thread starts: setenv beside another thread's getenv is unsafe.
        Thumbnailer.prepareEnvironment()
        // Swift tasks then run on NIO's event loops: a request's handler runs on the thread that
        // reads its socket, without a hop to the cooperative pool and back (SwiftNIO's advice for
        // servers). Database work and large reads have their own threads; file lookups and reads
        // of up to 128 KiB are made inline, as nginx makes them.
        EventLoopCount.apply()
        FreedMemory.keep()
        OpenFilesLimit.raise()
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await self.main(nil)
    }
}
