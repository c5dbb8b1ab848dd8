import App
public import ArgumentParser
import Foundation
public import Logging

/// `wharf serve`: runs the HTTP service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service.",
        discussion: "On the first start with no user, serve adds the user 'admin' and prints its random password once; "
            + "with WHARF_ADMIN_PASSWORD set it takes that password instead and prints none."
    )

    @Option(help: "Address to listen on (env WHARF_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on, 0 for any free one (env WHARF_PORT; default 8081).")
    var port: Int?

    @Option(help: "PEM certificate chain: serve HTTPS, HTTP/2 by ALPN and HTTP/1.1 besides, with --tls-key (env WHARF_TLS_CERT).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert (env WHARF_TLS_KEY).")
    var tlsKey: String?

    @Option(name: .customLong("static"), help: "Directory of the web site served at / (env WHARF_STATIC; default ./static).")
    var staticDirectory: String?

    @OptionGroup var storage: StorageOptions

    @Option(
        name: .customLong("mount"),
        help: "Another static mount, PREFIX=DIR (e.g. /assets=./public); repeatable (env WHARF_MOUNTS, comma-separated)."
    )
    var mounts: [String] = []

    @Flag(name: .customLong("spa"), help: "Unknown paths of / that accept HTML get index.html with 200 (env WHARF_SPA).")
    var spaFallback = false

    @Flag(help: "Serve dotfiles and dot-directories such as .well-known (env WHARF_SHOW_DOTFILES).")
    var showDotfiles = false

    @Flag(help: "Directories without an index list their entries, as HTML or JSON (env WHARF_BROWSE).")
    var browse = false

    @Option(
        help: "Cache-Control of static files that are neither HTML nor fingerprinted (env WHARF_STATIC_CACHE_CONTROL; default public, max-age=3600)."
    )
    var staticCacheControl: String?

    @Option(
        name: .customLong("immutable"),
        help:
            "URL-path glob of static files that never change in place, e.g. '/assets/*' (cached a year); repeatable (env WHARF_IMMUTABLE, comma-separated)."
    )
    var immutablePaths: [String] = []

    @Option(
        name: .customLong("cors-origin"),
        help:
            "Origin whose pages may call /api/ with a bearer token (CORS), e.g. https://app.example.com, or '*' for any; repeatable (env WHARF_CORS_ORIGINS, comma-separated; default none)."
    )
    var corsOrigins: [String] = []

    @Option(help: "Content-Security-Policy of the site's HTML pages, or '' for none (env WHARF_SITE_CSP; default default-src 'self').")
    var siteCsp: String?

    @Option(help: "More byte ranges than this in one request get the whole file (env WHARF_MAX_RANGES; default 16).")
    var maxRanges: Int?

    @Option(
        help: "Largest request body, in bytes or with a unit: 512MiB, 5GiB, 10GB (env WHARF_MAX_UPLOAD_SIZE; default 5GiB).",
        transform: ByteSize.argument
    )
    var maxUploadSize: ByteSize?

    @Option(help: "Largest single file of a form upload (env WHARF_MAX_FILE_SIZE; default: the body limit).", transform: ByteSize.argument)
    var maxFileSize: ByteSize?

    @Option(help: "Most files in one form upload (env WHARF_MAX_FILES; default 100).")
    var maxFiles: Int?

    @Option(help: "Most text fields in one form upload (env WHARF_MAX_FIELDS; default 100).")
    var maxFields: Int?

    @Option(help: "Largest text field of a form upload (env WHARF_MAX_FIELD_SIZE; default 64KiB).", transform: ByteSize.argument)
    var maxFieldSize: ByteSize?

    @Option(help: "Largest header block of one form part (env WHARF_MAX_PART_HEADER_SIZE; default 16KiB).", transform: ByteSize.argument)
    var maxPartHeaderSize: ByteSize?

    @Option(
        help: "Store only uploads whose detected type matches, e.g. image/*,application/pdf; others get 415 (env WHARF_ALLOW_TYPES; default: any).",
        transform: { text in
            guard AppConfiguration.isTypeList(text) else { throw ValidationError("'\(text)' is not a list such as image/*,application/pdf.") }
            return text
        }
    )
    var allowTypes: String?

    @Flag(
        inversion: .prefixedNo,
        help: "Sync each upload and its directory to the device before answering 201, so it survives a power cut (env WHARF_FSYNC; default on)."
    )
    var fsync: Bool?

    @Option(help: "bcrypt's cost for password hashes, 4 to 31 (env WHARF_BCRYPT_COST; default 12).")
    var bcryptCost: Int?

    @Option(help: "Minimum log level (env WHARF_LOG_LEVEL; default info).")
    var logLevel: Logger.Level?

    @Option(
        help: "How long in-flight requests may run after SIGTERM/SIGINT: 500ms, 10s, 1m (env WHARF_SHUTDOWN_GRACE; default 10s).",
        transform: DurationText.argument
    )
    var shutdownGrace: DurationText?

    @Option(
        help:
            "How long a connection may take to finish its TLS handshake and then its first request's head before it is closed (env WHARF_REQUEST_HEAD_TIMEOUT; default 60s).",
        transform: DurationText.argument
    )
    var requestHeadTimeout: DurationText?

    @Option(
        help: "How long a request body may stop coming before the request is answered 408 (env WHARF_REQUEST_BODY_TIMEOUT; default 60s).",
        transform: DurationText.argument
    )
    var requestBodyTimeout: DurationText?

    @Option(
        help: "How long a connection may stay idle between requests before it is closed (env WHARF_KEEPALIVE_TIMEOUT; default 75s).",
        transform: DurationText.argument
    )
    var keepaliveTimeout: DurationText?

    @Option(
        help: "How long a client may take none of what is sent to it before its connection is closed (env WHARF_SEND_TIMEOUT; default 60s).",
        transform: DurationText.argument
    )
    var sendTimeout: DurationText?

    @OptionGroup(title: "Accounts") var accounts: AccountOptions
    @OptionGroup(title: "Background jobs") var jobs: JobOptions

    /// A wrong flag or variable is found here, before `run`, so that its message comes with the
    /// usage of `serve` rather than of the whole tool.
    func validate() throws {
        _ = try self.resolvedConfiguration()
    }

    func run() async throws {
        let configuration = try self.resolvedConfiguration()
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in LogLineHandler(label: label, level: level) }
        let logger = Logger(label: "wharf")
        let app = try await Wharf.makeApplication(configuration: configuration, logger: logger)
        try await Wharf.run(app, configuration: configuration, logger: logger)
    }

    static func environmentList(_ variable: String) -> [String] {
        (ProcessInfo.processInfo.environment[variable] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
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
        let mounts = self.mounts.isEmpty ? Self.environmentList("WHARF_MOUNTS") : self.mounts
        configuration.mounts = try mounts.map { mount in
            let parts = mount.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].hasPrefix("/") else { throw ValidationError("'\(mount)' is not a mount such as /assets=./public.") }
            return (String(parts[0]), String(parts[1]))
        }
        configuration.spaFallback =
            try EnvironmentOption.flag(self.spaFallback, "WHARF_SPA")
        configuration.showDotfiles =
            try EnvironmentOption.flag(self.showDotfiles, "WHARF_SHOW_DOTFILES")
        configuration.browse = try EnvironmentOption.flag(self.browse, "WHARF_BROWSE")
        configuration.staticCacheControl = try EnvironmentOption.resolve(
            self.staticCacheControl,
            "WHARF_STATIC_CACHE_CONTROL",
            default: configuration.staticCacheControl
        ) { $0 }
        configuration.immutablePaths = self.immutablePaths.isEmpty ? Self.environmentList("WHARF_IMMUTABLE") : self.immutablePaths
        if let relative = configuration.immutablePaths.first(where: { !$0.hasPrefix("/") && !$0.hasPrefix("*") }) {
            throw ValidationError("'\(relative)' is not a URL-path glob such as /assets/*.")
        }
        configuration.corsOrigins = self.corsOrigins.isEmpty ? Self.environmentList("WHARF_CORS_ORIGINS") : self.corsOrigins
        if let wrong = configuration.corsOrigins.first(where: { !AppConfiguration.isOrigin($0) }) {
            throw ValidationError("'\(wrong)' is not an origin such as https://app.example.com (no path, no trailing slash) or '*'.")
        }
        let policy = try EnvironmentOption.resolve(self.siteCsp, "WHARF_SITE_CSP", default: configuration.sitePolicy ?? "") { $0 }
        configuration.sitePolicy = policy.isEmpty ? nil : policy
        configuration.maxRanges = try EnvironmentOption.resolve(self.maxRanges, "WHARF_MAX_RANGES", default: configuration.maxRanges) { Int($0) }
        configuration.maxUploadSize = try EnvironmentOption.resolve(
            self.maxUploadSize,
            "WHARF_MAX_UPLOAD_SIZE",
            default: configuration.maxUploadSize,
            parse: ByteSize.init(parsing:)
        )
        configuration.maxFileSize = try EnvironmentOption.resolve(self.maxFileSize, "WHARF_MAX_FILE_SIZE", default: nil) { ByteSize(parsing: $0) }
        configuration.maxFiles = try EnvironmentOption.resolve(self.maxFiles, "WHARF_MAX_FILES", default: configuration.maxFiles) { Int($0) }
        configuration.maxFields = try EnvironmentOption.resolve(self.maxFields, "WHARF_MAX_FIELDS", default: configuration.maxFields) { Int($0) }
        configuration.maxFieldSize = try EnvironmentOption.resolve(
            self.maxFieldSize,
            "WHARF_MAX_FIELD_SIZE",
            default: configuration.maxFieldSize,
            parse: ByteSize.init(parsing:)
        )
        configuration.maxPartHeaderSize = try EnvironmentOption.resolve(
            self.maxPartHeaderSize,
            "WHARF_MAX_PART_HEADER_SIZE",
            default: configuration.maxPartHeaderSize,
            parse: ByteSize.init(parsing:)
        )
        configuration.allowTypes = try EnvironmentOption.resolve(self.allowTypes, "WHARF_ALLOW_TYPES", default: nil) {
            AppConfiguration.isTypeList($0) ? $0 : nil
        }
        guard configuration.maxFiles > 0, configuration.maxFields >= 0 else { throw ValidationError("--max-files must be positive.") }
        configuration.fsync = try EnvironmentOption.resolve(
            self.fsync,
            "WHARF_FSYNC",
            default: configuration.fsync,
            parse: EnvironmentOption.parseBool
        )
        configuration.logLevel = try EnvironmentOption.resolve(self.logLevel, "WHARF_LOG_LEVEL", default: configuration.logLevel) {
            Logger.Level(rawValue: $0.lowercased())
        }
        configuration.bcryptCost = try BcryptCost.resolve(self.bcryptCost)
        configuration.adminPassword = ProcessInfo.processInfo.environment["WHARF_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.shutdownGrace = try EnvironmentOption.resolve(
            self.shutdownGrace,
            "WHARF_SHUTDOWN_GRACE",
            default: configuration.shutdownGrace,
            parse: DurationText.init(parsing:)
        )
        configuration.requestHeadTimeout = try AccountOptions.duration(
            self.requestHeadTimeout,
            "WHARF_REQUEST_HEAD_TIMEOUT",
            default: configuration.requestHeadTimeout
        )
        configuration.requestBodyTimeout = try AccountOptions.duration(
            self.requestBodyTimeout,
            "WHARF_REQUEST_BODY_TIMEOUT",
            default: configuration.requestBodyTimeout
        )
        configuration.keepaliveTimeout = try AccountOptions.duration(
            self.keepaliveTimeout,
            "WHARF_KEEPALIVE_TIMEOUT",
            default: configuration.keepaliveTimeout
        )
        configuration.sendTimeout = try AccountOptions.duration(self.sendTimeout, "WHARF_SEND_TIMEOUT", default: configuration.sendTimeout)
        let timeouts = [
            configuration.requestHeadTimeout, configuration.requestBodyTimeout, configuration.keepaliveTimeout, configuration.sendTimeout,
        ]
        for timeout in timeouts where timeout.duration <= .zero {
            throw ValidationError("--request-head-timeout, --request-body-timeout, --keepalive-timeout and --send-timeout must be longer than 0s.")
        }
        try self.accounts.apply(to: &configuration)
        try self.jobs.apply(to: &configuration)
        let certificate = try EnvironmentOption.resolve(self.tlsCert, "WHARF_TLS_CERT", default: nil) { $0 }
        let key = try EnvironmentOption.resolve(self.tlsKey, "WHARF_TLS_KEY", default: nil) { $0 }
        switch (certificate, key) {
        case (let certificate?, let key?):
            configuration.tls = (certificate, key)
            // A cookie of an HTTPS site is never sent over plain HTTP.
            configuration.secureCookies = true
        case (nil, nil):
            break
        default:
            throw ValidationError("--tls-cert and --tls-key (WHARF_TLS_CERT, WHARF_TLS_KEY) go together: give both, or neither.")
        }
        return configuration
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

extension ByteSize {
    /// Parses a flag's value, refusing it with a message that shows the accepted forms.
    static func argument(_ text: String) throws -> ByteSize {
        guard let size = ByteSize(parsing: text) else { throw ValidationError("'\(text)' is not a size such as 512MiB or 5GiB.") }
        return size
    }
}
