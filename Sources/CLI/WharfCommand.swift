import ArgumentParser
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
        // Database work and large reads have their own threads; file lookups and reads of up to
        // 128 KiB are made inline on the event loops, as nginx makes them.
        EventLoopCount.apply()
        FreedMemory.keep()
        OpenFilesLimit.raise()
        EventLoopExecutor.install()
        await self.main(nil)
    }
}
