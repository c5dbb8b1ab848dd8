import Auth
import Compression
import Glibc
public import Hummingbird
import HummingbirdAuth
import HummingbirdCore
import HummingbirdWebSocket
import Jobs
public import Logging
import MediaTypes
import Metrics
import NIOCore
import Prometheus
import Routing
import ServiceLifecycle
import StaticFiles
public import Storage
import TextBytes
import Thumbnails
import UnixSignals
import Uploads

/// The composition root: the only place that knows every concrete type.
public enum Wharf {
    /// The application type `wharf serve` runs and tests drive.
    public typealias App = Application<RouterResponder<AppRequestContext>>

    /// The files of the storage root the configuration names, as every subcommand that touches
    /// data opens them, beside a server that may be running. With `create` off, a root that holds
    /// no storage is an error instead of a new, empty storage.
    public static func openFiles(configuration: AppConfiguration, logger: Logger, create: Bool = true) async throws -> FilesService {
        try await self.openStorage(configuration: configuration, logger: logger, create: create).files
    }

    /// The users of the storage root the configuration names, for `wharf user`.
    public static func openAccounts(configuration: AppConfiguration, logger: Logger) async throws -> Accounts {
        self.accounts(try await self.openStorage(configuration: configuration, logger: logger).users, configuration)
    }

    /// The accounts of opened storage, hashing as the configuration says.
    public static func accounts(_ users: UserAccounts, _ configuration: AppConfiguration) -> Accounts {
        Accounts(users: users, hasher: PasswordHasher(cost: configuration.bcryptCost))
    }

    /// Opens the storage root the configuration names: its files, users and sessions; claimed
    /// unless its `access` is shared (`LocalStorage.Access`).
    public static func openStorage(
        configuration: AppConfiguration,
        logger: Logger,
        create: Bool = true,
        access: LocalStorage.Access = .shared
    ) async throws -> LocalStorage.Opened {
        let opened: LocalStorage.Opened
        do {
            opened = try await LocalStorage.open(root: configuration.storageDirectory, durable: configuration.fsync, create: create, access: access)
        } catch let error as StorageError {
            throw StartupError(error.description)
        }
        if opened.sweptStagingFiles > 0 {
            logger.notice("Removed staging files left by an earlier crash", metadata: ["count": "\(opened.sweptStagingFiles)"])
        }
        return opened
    }

    /// Builds the application over the storage root the configuration names. On a first start
    /// (no user at all) it adds `admin`, and shows a generated password once, on standard output.
    public static func makeApplication(configuration: AppConfiguration, logger: Logger) async throws -> App {
        // An unusable certificate or a missing static directory is refused before anything is
        // created (the storage root, the first admin and the password it prints).
        if let tls = configuration.tls { _ = try SecureChannel.context(certificate: tls.certificate, key: tls.key) }
        _ = try self.staticMounts(configuration)
        let storage = try await self.openStorage(configuration: configuration, logger: logger, access: .serving)
        if let password = try await self.accounts(storage.users, configuration).createFirstAdmin(password: configuration.adminPassword) {
            print(FirstStartBanner.text(password: password))
            // Flushed at once, so that it stands before the log lines that follow it.
            fflush(nil)
        }
        return try await self.makeApplication(configuration: configuration, storage: storage, logger: logger)
    }

    /// Builds the application over opened storage (tests pass one whose files fail on purpose).
    public static func makeApplication(configuration: AppConfiguration, storage: LocalStorage.Opened, logger: Logger) async throws -> App {
        let sniffer = try ContentSniffer()
        let registry = PrometheusCollectorRegistry()
        let metrics = PrometheusMetricsFactory(registry: registry)
        let routes = RouteTable()
        let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestIDMiddleware())
        let routeMetrics = RouteMetricsRecorder(factory: metrics)
        router.add(middleware: RouteMetricsMiddleware(recorder: routeMetrics))
        router.add(middleware: ProcessTimeMiddleware())
        router.add(middleware: ContinueMiddleware())
        if let origins = AllowedOrigins(configuration.corsOrigins) {
            // Outside the error middleware, so that errors reach other origins' scripts too.
            router.add(
                middleware: CrossOriginMiddleware(
                    origins: origins,
                    pathPrefix: "/api/",
                    exposedHeaders: TusController.answerHeaders + [
                        .requestID, .processTime, .contentDisposition, .contentRange, .acceptRanges, .eTag, .retryAfter, .wwwAuthenticate,
                    ]
                )
            )
        }
        router.add(middleware: ErrorMiddleware(routes: routes, translate: ErrorTranslation.exception(for:)))
        let staticFiles = try self.staticFiles(configuration, sniffer: sniffer)
        router.add(middleware: StaticFilesMiddleware(server: staticFiles))
        router.add(middleware: JSONCompressionMiddleware())

        let tokens = await BearerTokens(
            secret: try TokenSecret.load(given: configuration.jwtSecret, storageRoot: configuration.storageDirectory),
            lifetime: configuration.tokenLifetime.duration
        )
        let sessionPolicy = SessionPolicy(idle: configuration.sessionIdleTimeout.duration, absolute: configuration.sessionLifetime.duration)
        let sessionMiddleware = SessionMiddleware<AppRequestContext>(
            storage: SessionPersistDriver(store: storage.sessions),
            configuration: .init(
                sessionCookieParameters: .init(
                    name: AccountsController.sessionCookie,
                    path: "/",
                    secure: configuration.secureCookies,
                    sameSite: .lax
                ),
                keyPrefix: "",
                defaultSessionExpiration: sessionPolicy.idle
            )
        )
        func authentication(required: Bool) -> AuthenticationMiddleware {
            AuthenticationMiddleware(
                users: storage.users,
                tokens: tokens,
                sessions: sessionPolicy,
                sessionStore: storage.sessions,
                defaultQuota: configuration.defaultQuota?.bytes,
                required: required
            )
        }
        // Only routes that need to know the user read sessions: static files never touch the database.
        let withSessions = router.group().add(middleware: sessionMiddleware).add(middleware: authentication(required: false))
        let signedIn = router.group().add(middleware: sessionMiddleware).add(middleware: authentication(required: true))

        let userAccounts = Self.accounts(storage.users, configuration)
        let signal = CommitSignal()
        let accounts = AccountsController(
            signIn: SignIn(
                users: storage.users,
                hasher: PasswordHasher(cost: configuration.bcryptCost),
                throttle: LoginThrottle(maxFailures: configuration.loginMaxFailures, window: configuration.loginFailureWindow.duration)
            ),
            accounts: userAccounts,
            tokens: tokens,
            sessions: sessionPolicy,
            sessionStore: storage.sessions,
            page: LoginPage(staticDirectory: configuration.staticDirectory, policy: configuration.sitePolicy),
            files: storage.files,
            uploads: storage.resumable,
            wakeStreams: signal.notify
        )
        accounts.registerPublic(on: router, table: routes)
        accounts.registerSessions(on: withSessions, table: routes)
        accounts.registerSignedIn(on: signedIn, table: routes)
        UsersController(accounts: userAccounts, users: storage.users, wakeStreams: signal.notify).register(on: signedIn, table: routes)

        let files = storage.files.enqueuing(ThumbnailJob.jobs(contentType:digest:))
            .observed(by: FileChangeCounters(factory: metrics).count)
            .observed(by: { _ in signal.notify() })
        // Expired uploads and done jobs go within an hour, or sooner when they are kept less.
        var periodic = [ExpiredUploadsJob.request: min(configuration.tusExpiry.duration, .seconds(3600))]
        if let interval = configuration.scrubInterval { periodic[ScrubJob.request] = interval.duration }
        if let retention = configuration.jobRetention { periodic[DoneJobsRemovalJob.request] = min(retention.duration, .seconds(3600)) }
        let runner = JobRunner(
            queue: storage.jobs,
            handlers: [
                ThumbnailJob.kind: ThumbnailJob(
                    files: files,
                    thumbnailer: try Thumbnailer(
                        sizes: configuration.thumbnailSizes,
                        maxPixels: configuration.maxImagePixels,
                        timeout: configuration.thumbnailTimeout.duration
                    )
                ),
                ScrubJob.kind: ScrubJob(files: files, orphanGrace: .seconds(3600), metrics: metrics, logger: logger),
                ExpiredUploadsJob.kind: ExpiredUploadsJob(uploads: storage.resumable, logger: logger),
                DoneJobsRemovalJob.kind: DoneJobsRemovalJob(queue: storage.jobs, retention: configuration.jobRetention?.duration, logger: logger),
            ],
            workers: configuration.workers,
            retry: RetryPolicy(maxAttempts: configuration.jobMaxAttempts, baseDelay: configuration.jobRetryDelay.duration),
            periodic: periodic,
            afterJob: signal.notify,
            metrics: metrics,
            logger: logger
        )
        let pipeline = UploadPipeline(
            files: files,
            limits: UploadLimits(maxBodySize: configuration.maxUploadSize.bytes),
            multipartLimits: MultipartLimits(
                maxFileSize: (configuration.maxFileSize ?? configuration.maxUploadSize).bytes,
                maxFiles: configuration.maxFiles,
                maxFields: configuration.maxFields,
                maxFieldSize: Int(configuration.maxFieldSize.bytes),
                maxPartHeaderSize: Int(configuration.maxPartHeaderSize.bytes)
            ),
            sniffer: sniffer,
            allowedTypes: try configuration.allowTypes.map { text in
                guard let types = AllowedTypes(parsing: text) else { throw StartupError.invalidTypeList(text) }
                return types
            }
        )
        let thumbnails = ThumbnailViews(files: files, jobs: storage.jobs, sizes: configuration.thumbnailSizes)
        FilesController(pipeline: pipeline, maxRanges: configuration.maxRanges, serveCorrupt: configuration.serveCorrupt, views: thumbnails).register(
            on: signedIn,
            table: routes
        )
        let links = ShareLinksController(
            files: files,
            maxRanges: configuration.maxRanges,
            serveCorrupt: configuration.serveCorrupt,
            refusalPage: LinkRefusalPage(staticDirectory: configuration.staticDirectory, policy: configuration.sitePolicy)
        )
        links.register(on: signedIn, table: routes)
        links.registerPublic(on: router, table: routes)
        OperationsController(files: files, registry: registry).register(on: router, table: routes)
        ThumbnailsController(files: files, jobs: storage.jobs, sizes: configuration.thumbnailSizes).register(on: signedIn, table: routes)
        JobsController(jobs: storage.jobs).register(on: signedIn, table: routes)
        let tus = TusController(
            uploads: storage.resumable,
            pipeline: pipeline,
            maxSize: (configuration.maxFileSize ?? configuration.maxUploadSize).bytes,
            maxPieceSize: configuration.maxUploadSize.bytes,
            lifetime: configuration.tusExpiry.duration.microseconds
        )
        tus.registerPublic(on: router, table: routes)
        tus.register(on: signedIn, table: routes)
        let events = EventsController(
            feed: EventFeed(
                events: storage.events,
                files: files,
                views: thumbnails,
                signal: signal,
                heartbeat: configuration.eventHeartbeat.duration
            ),
            credentials: CredentialCheck(users: storage.users, sessionStore: storage.sessions)
        )
        events.register(on: signedIn, table: routes)
        // Upgrade requests meet this router first; one it does not upgrade goes on to `router`.
        let webSocketRouter = Router(context: AppRequestContext.self)
        webSocketRouter.add(middleware: HandshakeVerdictMiddleware())
        webSocketRouter.add(middleware: RequestIDMiddleware())
        webSocketRouter.add(middleware: ErrorMiddleware(routes: routes, translate: ErrorTranslation.exception(for:)))
        events.registerWebSocket(
            on: webSocketRouter.group().add(middleware: sessionMiddleware).add(middleware: authentication(required: true))
        )

        var accessLogger = logger
        accessLogger[metadataKey: "log"] = "access"
        let accessLog = AccessLog(logger: accessLogger, counters: AccessLog.ByteCounters(factory: metrics))
        let maxBodySize = configuration.maxUploadSize.bytes
        let bodyTimeout = configuration.requestBodyTimeout.duration
        var fastPath = StaticFastPathConfiguration(
            server: staticFiles,
            isRouted: routes.isRouted,
            metrics: routeMetrics,
            answered: Counter(label: "wharf_static_fast_path_answers_total", factory: metrics),
            accessLog: accessLog,
            serverName: serverName,
            idleTimeout: TimeAmount(configuration.keepaliveTimeout.duration)
        )
        fastPath.answers = configuration.staticFastPath
        fastPath.usesSendfile = configuration.tls == nil
        let connection = fastPath
        let http1 = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(
                additionalChannelHandlers: [
                    RequestBodyFlowHandler(maxBodySize: maxBodySize, bodyTimeout: bodyTimeout, accessLog: accessLog),
                    AccessLogHandler(log: accessLog),
                    // Below the HTTP types codec, above the connection's persistence handler
                    // that the body flow handler has put there: what it answers passes through
                    // no other handler, and it keeps the idle timeout of the connection, as it
                    // sees every request.
                    StaticFastPathHandler.install(configuration: connection),
                ],
                idleTimeout: nil
            ),
            ws: EventsController.webSocketConfiguration
        )
        let webSocketResponder = webSocketRouter.buildResponder()
        let requestHeadTimeout = configuration.requestHeadTimeout.duration
        let sendTimeout = configuration.sendTimeout.duration
        let server: HTTPServerBuilder
        if let tls = configuration.tls {
            let context = try SecureChannel.context(certificate: tls.certificate, key: tls.key)
            var stream = fastPath
            stream.idleTimeout = nil
            let streamFastPath = stream
            let streamHandlers: @Sendable () -> [any ChannelHandler] = {
                [StreamSendTimeout(timeout: sendTimeout), StaticFastPathStreamHandler(configuration: streamFastPath)]
            }
            let passedOnHandlers: @Sendable () -> [any ChannelHandler] = {
                [
                    RequestBodyFlowHandler(
                        maxBodySize: maxBodySize,
                        largeBodyReads: false,
                        bodyTimeout: bodyTimeout
                    ),
                    AccessLogHandler(log: accessLog),
                ]
            }
            server = HTTPServerBuilder { responder in
                SendTimeoutChannel(
                    base: SecureChannel(
                        context: context,
                        http1: ParsedHTTP1Channel(
                            http1: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: http1),
                            requestHeadTimeout: requestHeadTimeout,
                            accessLog: accessLog,
                            metrics: routeMetrics
                        ),
                        http2: HTTP2StreamsChannel(
                            responder: responder,
                            streamHandlers: streamHandlers,
                            passedOnHandlers: passedOnHandlers,
                            idleTimeout: configuration.keepaliveTimeout.duration
                        ),
                        handshakeTimeout: requestHeadTimeout,
                        // A client that has not let go by then would be cut off by the shutdown anyway.
                        goAwayTimeout: configuration.shutdownGrace.duration
                    ),
                    timeout: sendTimeout
                )
            }
        } else {
            server = HTTPServerBuilder { responder in
                SendTimeoutChannel(
                    base: ParsedHTTP1Channel(
                        http1: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: http1),
                        requestHeadTimeout: requestHeadTimeout,
                        accessLog: accessLog,
                        metrics: routeMetrics
                    ),
                    timeout: sendTimeout
                )
            }
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
            services: [
                runner, StaticCacheSweep(server: staticFiles), OtherProcessCommitWatch(commits: storage.otherProcessCommits, wake: signal.notify),
            ],
            onServerRunning: { channel in
                // Said once the socket is bound, so that a port in use never follows a "Serving" line.
                logger.info(
                    "Serving",
                    metadata: [
                        "address":
                            "\(configuration.tls == nil ? "http" : "https")://\(configuration.host):\(channel.localAddress?.port ?? configuration.port)",
                        "static": "\(configuration.staticDirectory)",
                        "storage": "\(configuration.storageDirectory)",
                        "max_upload_size": "\(configuration.maxUploadSize)",
                        "fsync": "\(configuration.fsync)",
                    ]
                )
            },
            logger: logger
        )
    }

    /// The static file server over `staticMounts`.
    static func staticFiles(_ configuration: AppConfiguration, sniffer: ContentSniffer) throws -> StaticFileServer {
        StaticFileServer(
            mounts: try self.staticMounts(configuration),
            cachePolicy: CachePolicy(defaultValue: configuration.staticCacheControl, immutablePaths: configuration.immutablePaths),
            sniffer: sniffer,
            maxRanges: configuration.maxRanges,
            excludedPrefixes: ["/api/"],
            htmlPolicy: configuration.sitePolicy
        )
    }

    /// The static mounts: `--static` at `/` in html mode, then every `--mount`, each directory
    /// opened (and so known to exist).
    static func staticMounts(_ configuration: AppConfiguration) throws -> [StaticMount] {
        var mounts = [
            try StaticMount(
                prefix: "",
                root: configuration.staticDirectory,
                htmlMode: true,
                spaFallback: configuration.spaFallback,
                showDotfiles: configuration.showDotfiles,
                browse: configuration.browse,
                serverPages: [LoginPage.file, LinkRefusalPage.file]
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
        return mounts
    }

    /// The `Server` header of every answer.
    static let serverName = "wharf"

    /// Runs until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish within
    /// the configured grace period, and returns.
    public static func run(_ app: App, configuration: AppConfiguration, logger: Logger) async throws {
        var group = ServiceGroupConfiguration(services: [.init(service: app)], logger: logger)
        group.gracefulShutdownSignals = [.sigterm, .sigint]
        group.maximumGracefulShutdownDuration = configuration.shutdownGrace.duration
        group.maximumCancellationDuration = .seconds(5)
        do {
            try await ServiceGroup(configuration: group).run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw StartupError.addressInUse(host: configuration.host, port: configuration.port)
        } catch let error as IOError where ["bind", "socket"].contains(where: { "\(error)".hasPrefix($0) }) {
            throw StartupError.cannotListen(host: configuration.host, port: configuration.port, cause: error)
        }
    }
}

extension Wharf {
    /// The newest jobs of the storage root the configuration names, for `wharf jobs list`; `status`
    /// one of queued, running, done, failed (any when `nil`).
    public static func jobs(configuration: AppConfiguration, status: String?, limit: Int, logger: Logger) async throws -> [JobBody] {
        let wanted = try status.map { text in
            guard let status = JobStatus(rawValue: text) else {
                throw StartupError("'\(text)' is not a job status: use queued, running, done or failed.")
            }
            return status
        }
        let storage = try await self.openStorage(configuration: configuration, logger: logger, create: false)
        return try await storage.jobs.list(status: wanted, limit: limit).map(JobBody.init)
    }

    /// Scrubs the storage root the configuration names (`wharf scrub`): every content read again
    /// against its SHA-256, unreferenced blobs older than `orphanGrace` removed.
    public static func scrub(configuration: AppConfiguration, orphanGrace: DurationText, logger: Logger) async throws -> ScrubSummary {
        let storage = try await self.openStorage(configuration: configuration, logger: logger, create: false, access: .scrubbing)
        return ScrubSummary(try await storage.files.scrub(orphanGrace: orphanGrace.duration.components.seconds))
    }

    /// The newest files of the storage root the configuration names (only `owner`'s when given),
    /// for `wharf files list`; a root that holds no storage is an error, not a new storage.
    public static func newestFiles(
        configuration: AppConfiguration,
        limit: Int,
        ownedBy owner: String? = nil,
        logger: Logger
    ) async throws
        -> [FileRecordBody]
    {
        let files = try await self.openFiles(configuration: configuration, logger: logger, create: false)
        return try await files.list(FileListQuery(limit: limit, ownedBy: owner), as: .local).items.map { FileRecordBody($0) }
    }
}
