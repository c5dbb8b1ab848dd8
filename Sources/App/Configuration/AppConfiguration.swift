public import Logging

/// Everything `wharf serve` can be told, with the defaults of the README.
public struct AppConfiguration: Sendable {
    /// Address to listen on.
    public var host: String = "127.0.0.1"
    /// Port to listen on (0 picks a free one).
    public var port: Int = 8081
    /// Directory of the static web site mounted at `/`.
    public var staticDirectory: String = "./static"
    /// Storage root: the metadata database, blobs and staging files.
    public var storageDirectory: String = "./uploads"
    /// Largest request body accepted.
    public var maxUploadSize = ByteSize(bytes: 5 << 30)
    /// Whether uploads are synced to the device before they are acknowledged.
    public var fsync = true
    /// Minimum level of log lines.
    public var logLevel: Logger.Level = .info
    /// How long in-flight requests may take to finish after SIGTERM or SIGINT.
    public var shutdownGrace = DurationText(.seconds(10))

    /// The defaults.
    public init() {}
}
