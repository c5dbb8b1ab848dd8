import Compression
public import Hummingbird
import HummingbirdCore
public import Logging
import MediaTypes
import Metrics
import NIOCore
import Prometheus
import Routing
import ServiceLifecycle
import StaticFiles
public import Storage
import UnixSignals
import Uploads

/// The composition root: the only place that knows every concrete type.
public enum Wharf {
    /// The application type `wharf serve` runs and tests drive.
    public typealias App = Application<RouterResponder<AppRequestContext>>

    /// Opens the storage root: blob store and catalog, with staging files left by a crash swept.
    public static func openRepository(configuration: AppConfiguration, logger: Logger) async throws -> FileRepository {
        let root = configuration.storageDirectory
        let blobs = try LocalBlobStore(root: root, durable: configuration.fsync)
        let swept = try await blobs.sweepStaging()
        if swept > 0 { logger.notice("Removed staging files left by an earlier crash", metadata: ["count": "\(swept)"]) }
        let catalog = try SQLiteCatalog(path: root + "/wharf.sqlite", durable: configuration.fsync)
        return FileRepository(blobs: blobs, catalog: catalog)
    }

    /// Builds the application over the storage root the configuration names.
    public static func makeApplication(configuration: AppConfiguration, logger: Logger) async throws -> App {
        let repository = try await self.openRepository(configuration: configuration, logger: logger)
        return try self.makeApplication(configuration: configuration, repository: repository, logger: logger)
    }

    /// Builds the application over a given repository (tests pass one with a failing store).
    public static func makeApplication(configuration: AppConfiguration, repository: FileRepository, logger: Logger) throws -> App {
        let sniffer = try ContentSniffer()
        let registry = PrometheusCollectorRegistry()
        let metrics = PrometheusMetricsFactory(registry: registry)
        let routes = RouteTable()
        let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: RouteMetricsMiddleware(factory: metrics))
        router.add(middleware: ProcessTimeMiddleware())
        router.add(middleware: ErrorMiddleware(routes: routes, translate: ErrorTranslation.exception(for:)))
        router.add(middleware: try self.staticFiles(configuration, sniffer: sniffer))
        router.add(middleware: JSONCompressionMiddleware())

        let pipeline = UploadPipeline(
            repository: repository,
            limits: UploadLimits(maxBodySize: configuration.maxUploadSize.bytes),
            multipartLimits: MultipartLimits(
                maxFileSize: (configuration.maxFileSize ?? configuration.maxUploadSize).bytes,
                maxFiles: configuration.maxFiles,
                maxFields: configuration.maxFields,
                maxFieldSize: Int(configuration.maxFieldSize.bytes),
                maxPartHeaderSize: Int(configuration.maxPartHeaderSize.bytes)
            ),
            sniffer: sniffer,
            allowedTypes: configuration.allowTypes
        )
        FilesController(pipeline: pipeline, maxRanges: configuration.maxRanges).register(on: router, table: routes)
        OperationsController(repository: repository, registry: registry).register(on: router, table: routes)

        var accessLogger = logger
        accessLogger[metadataKey: "log"] = "access"
        let access = accessLogger
        let counters = AccessLogHandler.ByteCounters(factory: metrics)
        let maxBodySize = configuration.maxUploadSize.bytes
        let server = HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [
                    RequestBodyFlowHandler(maxBodySize: maxBodySize),
                    AccessLogHandler(logger: access, counters: counters),
                ],
                idleTimeout: .seconds(75)
            )
        )
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "wharf"),
            logger: logger
        )
    }

    /// The static mounts: `--static` at `/` in html mode, then every `--mount`.
    static func staticFiles(_ configuration: AppConfiguration, sniffer: ContentSniffer) throws -> StaticFilesMiddleware<AppRequestContext> {
        var mounts = [
            try StaticMount(
                prefix: "",
                root: configuration.staticDirectory,
                htmlMode: true,
                spaFallback: configuration.spaFallback,
                showDotfiles: configuration.showDotfiles,
                browse: configuration.browse
            )
        ]
        for (prefix, directory) in configuration.mounts {
            mounts.append(
                try StaticMount(
                    prefix: prefix,
                    root: directory,
                    htmlMode: false,
                    showDotfiles: configuration.showDotfiles,
                    browse: configuration.browse
                )
            )
        }
        return StaticFilesMiddleware(
            mounts: mounts,
            cachePolicy: CachePolicy(defaultValue: configuration.staticCacheControl),
            sniffer: sniffer,
            maxRanges: configuration.maxRanges,
            excludedPrefixes: ["/api/"]
        )
    }

    /// Runs until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish within
    /// the configured grace period, and returns.
    public static func run(_ app: App, configuration: AppConfiguration, logger: Logger) async throws {
        var group = ServiceGroupConfiguration(services: [.init(service: app)], logger: logger)
        group.gracefulShutdownSignals = [.sigterm, .sigint]
        group.maximumGracefulShutdownDuration = configuration.shutdownGrace.duration
        group.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: group).run()
    }
}
