import App
public import ArgumentParser
public import Logging

/// `wharf serve`: runs the HTTP service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP service.")

    @Option(help: "Address to listen on (env WHARF_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on, 0 for any free one (env WHARF_PORT; default 8081).")
    var port: Int?

    @Option(name: .customLong("static"), help: "Directory of the web site served at / (env WHARF_STATIC; default ./static).")
    var staticDirectory: String?

    @OptionGroup var storage: StorageOptions

    @Option(
        help: "Largest request body, in bytes or with a unit: 512MiB, 5GiB, 10GB (env WHARF_MAX_UPLOAD_SIZE; default 5GiB).",
        transform: { text in
            guard let size = ByteSize(parsing: text) else { throw ValidationError("'\(text)' is not a size such as 512MiB or 5GiB.") }
            return size
        }
    )
    var maxUploadSize: ByteSize?

    @Flag(
        inversion: .prefixedNo,
        help: "Sync each upload and its directory to the device before answering 201, so it survives a power cut (env WHARF_FSYNC; default on)."
    )
    var fsync: Bool?

    @Option(help: "Minimum log level (env WHARF_LOG_LEVEL; default info).")
    var logLevel: Logger.Level?

    @Option(
        help: "How long in-flight requests may run after SIGTERM/SIGINT: 500ms, 10s, 1m (env WHARF_SHUTDOWN_GRACE; default 10s).",
        transform: { text in
            guard let duration = DurationText(parsing: text) else { throw ValidationError("'\(text)' is not a duration such as 10s or 1m.") }
            return duration
        }
    )
    var shutdownGrace: DurationText?

    func run() async throws {
        let configuration = try self.resolvedConfiguration()
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "wharf")
        let app = try await Wharf.makeApplication(configuration: configuration, logger: logger)
        logger.info(
            "Serving",
            metadata: [
                "address": "\(configuration.host):\(configuration.port)",
                "static": "\(configuration.staticDirectory)",
                "storage": "\(configuration.storageDirectory)",
                "max_upload_size": "\(configuration.maxUploadSize)",
                "fsync": "\(configuration.fsync)",
            ]
        )
        try await Wharf.run(app, configuration: configuration, logger: logger)
    }

    func resolvedConfiguration() throws -> AppConfiguration {
        var configuration = AppConfiguration()
        configuration.host = try EnvironmentOption.resolve(self.host, "WHARF_HOST", default: configuration.host) { $0 }
        configuration.port = try EnvironmentOption.resolve(self.port, "WHARF_PORT", default: configuration.port) { Int($0) }
        guard (0...65535).contains(configuration.port) else { throw ValidationError("The port must be between 0 and 65535.") }
        configuration.staticDirectory = try EnvironmentOption.resolve(self.staticDirectory, "WHARF_STATIC", default: configuration.staticDirectory) {
            $0
        }
        configuration.storageDirectory = try self.storage.resolved()
        configuration.maxUploadSize = try EnvironmentOption.resolve(
            self.maxUploadSize,
            "WHARF_MAX_UPLOAD_SIZE",
            default: configuration.maxUploadSize,
            parse: ByteSize.init(parsing:)
        )
        configuration.fsync = try EnvironmentOption.resolve(
            self.fsync,
            "WHARF_FSYNC",
            default: configuration.fsync,
            parse: EnvironmentOption.parseBool
        )
        configuration.logLevel = try EnvironmentOption.resolve(self.logLevel, "WHARF_LOG_LEVEL", default: configuration.logLevel) {
            Logger.Level(rawValue: $0.lowercased())
        }
        configuration.shutdownGrace = try EnvironmentOption.resolve(
            self.shutdownGrace,
            "WHARF_SHUTDOWN_GRACE",
            default: configuration.shutdownGrace,
            parse: DurationText.init(parsing:)
        )
        return configuration
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
