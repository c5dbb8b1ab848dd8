public import Logging
import NIOCore
import Routing
import Uploads

/// Everything `wharf serve` can be told, with the defaults of the README.
public struct AppConfiguration: Sendable {
    /// Address to listen on.
    public var host: String = "127.0.0.1"
    /// Port to listen on (0 picks a free one).
    public var port: Int = 8081
    /// Directory of the static web site mounted at `/`.
    public var staticDirectory: String = "./static"
    /// More static mounts: URL prefix and directory, as `--mount /prefix=DIR` gives them.
    public var mounts: [(prefix: String, directory: String)] = []
    /// Unknown paths of the root mount that accept HTML get its `index.html` (single-page apps).
    public var spaFallback = false
    /// Whether dotfiles and dot-directories are served.
    public var showDotfiles = false
    /// Whether directories without an index list their entries.
    public var browse = false
    /// `Cache-Control` of static files that are neither HTML nor fingerprinted.
    public var staticCacheControl = "public, max-age=3600"
    /// URL-path globs of static files that never change in place (cached for a year as immutable).
    public var immutablePaths: [String] = []
    /// `Content-Security-Policy` of the site's HTML pages (and the sign-in page); `nil`: none. The
    /// default allows no inline script and no other origin, so an injection that slipped through
    /// could still not run.
    public var sitePolicy: String? = "default-src 'self'"
    /// Origins (`scheme://host[:port]`, or `*`) whose pages may call the API with a bearer token
    /// (CORS); none by default.
    public var corsOrigins: [String] = []
    /// HTTPS (HTTP/2 by ALPN, HTTP/1.1 besides): PEM files of the certificate chain and its key.
    public var tls: (certificate: String, key: String)?
    /// Static answers the caches can give at once are sent from the event loop (off only to
    /// compare the two carriers of the same answers).
    public var staticFastPath = true
    /// More ranges than this in one request get the whole file.
    public var maxRanges = 16
    /// Storage root: the metadata database, blobs and staging files.
    public var storageDirectory: String = "./uploads"
    /// Largest request body accepted.
    public var maxUploadSize = ByteSize(bytes: 5 << 30)
    /// Largest single file of a form upload (`nil`: the body limit).
    public var maxFileSize: ByteSize?
    /// Most files in one form upload.
    public var maxFiles = 100
    /// Most text fields in one form upload.
    public var maxFields = 100
    /// Largest text field of a form upload.
    public var maxFieldSize = ByteSize(bytes: 64 << 10)
    /// Largest header block of one form part.
    public var maxPartHeaderSize = ByteSize(bytes: 16 << 10)
    /// When set, a comma list such as `image/*,application/pdf`: only uploads whose detected
    /// content type matches are stored (415 otherwise).
    public var allowTypes: String?
    /// Whether uploads are synced to the device before they are acknowledged.
    public var fsync = true
    /// Minimum level of log lines.
    public var logLevel: Logger.Level = .info
    /// bcrypt's cost for new password hashes.
    public var bcryptCost = 12
    /// The password of the `admin` a first start creates (WHARF_ADMIN_PASSWORD); random and shown
    /// once when `nil`.
    public var adminPassword: String?
    /// The key bearer tokens are signed with (at least 32 bytes); a random one kept in the storage
    /// root when `nil`.
    public var jwtSecret: String?
    /// How long a bearer token is valid.
    public var tokenLifetime = DurationText(.seconds(3600))
    /// A sign-in session ends after this long without a request...
    public var sessionIdleTimeout = DurationText(.seconds(2 * 3600))
    /// ...and at the latest this long after signing in.
    public var sessionLifetime = DurationText(.seconds(7 * 24 * 3600))
    /// Whether the session cookie is marked `Secure` (sent over HTTPS only).
    public var secureCookies = false
    /// Failed sign-ins allowed per user name and per client address within `loginFailureWindow`.
    public var loginMaxFailures = 5
    /// How long a failed sign-in counts.
    public var loginFailureWindow = DurationText(.seconds(15 * 60))
    /// Storage quota of users who have none of their own (`nil`: unlimited).
    public var defaultQuota: ByteSize?
    /// Background jobs run at once (thumbnails decode on as many threads).
    public var workers = System.coreCount
    /// Long-edge sizes of the thumbnails made for each image, in pixels.
    public var thumbnailSizes = [256, 1024]
    /// Most pixels an image may have (summed over pages or frames) to get thumbnails.
    public var maxImagePixels: Int64 = 50_000_000
    /// Longest one thumbnail may take to make before it is given up (the image then gets none).
    public var thumbnailTimeout = DurationText(.seconds(60))
    /// Attempts a failing job gets before it is failed for good.
    public var jobMaxAttempts = 5
    /// The wait after a job's first failure (doubled after each further one, at most an hour).
    public var jobRetryDelay = DurationText(.seconds(2))
    /// How often the server scrubs its storage (every content read against its SHA-256); `nil`: never.
    public var scrubInterval: DurationText? = DurationText(.seconds(86_400))
    /// How long a done job is kept (failed ones are kept for good); `nil`: every job is kept.
    public var jobRetention: DurationText? = DurationText(.seconds(14 * 86_400))
    /// How long a resumable (tus) upload may take; unfinished ones are removed after it.
    public var tusExpiry = DurationText(.seconds(86_400))
    /// How long a live event stream stays silent before it sends a heartbeat.
    public var eventHeartbeat = DurationText(.seconds(15))
    /// How long a connection may take to finish its TLS handshake, and then to send its first
    /// request's head (nginx's `client_header_timeout`); then it is closed (after the handshake,
    /// with a 408).
    public var requestHeadTimeout = DurationText(.seconds(60))
    /// How long a request body may stop coming while the server waits for it (nginx's
    /// `client_body_timeout`); then the request is answered 408 and the connection closed.
    public var requestBodyTimeout = DurationText(.seconds(60))
    /// How long a connection may stay idle between requests (nginx's `keepalive_timeout`).
    public var keepaliveTimeout = DurationText(.seconds(75))
    /// How long a client may take none of what is sent to it (nginx's `send_timeout`); then the
    /// connection is closed.
    public var sendTimeout = DurationText(.seconds(60))
    /// Whether a content a scrub found corrupt is still sent, marked by `Wharf-Integrity`, instead
    /// of refused with a 500.
    public var serveCorrupt = false
    /// How long in-flight requests may take to finish after SIGTERM or SIGINT.
    public var shutdownGrace = DurationText(.seconds(10))

    /// The defaults.
    public init() {}
}

extension AppConfiguration {
    /// Whether `text` is a media-type list `allowTypes` takes.
    public static func isTypeList(_ text: String) -> Bool {
        AllowedTypes(parsing: text) != nil
    }

    /// Whether `text` is what `corsOrigins` takes: `*`, or an origin such as `https://app.example.com`.
    public static func isOrigin(_ text: String) -> Bool {
        AllowedOrigins.isValid(text)
    }
}
