import HTTPTypes
public import Metrics
public import NIOCore
public import Routing

/// What the static fast path of every connection shares, whichever carrier it runs in.
public struct StaticFastPathConfiguration: Sendable {
    let server: StaticFileServer
    let isRouted: @Sendable (Substring) -> Bool
    let metrics: RouteMetricsRecorder
    let answered: Counter
    let accessLog: AccessLog
    /// The `Server` field's value, if answers carry one.
    let serverName: String?
    /// The same, as a field of the HTTP types.
    let serverField: HTTPField?
    public var idleTimeout: TimeAmount?
    /// Off, every request goes on (only the idle timeout is kept by the fast path).
    public var answers = true
    /// File bodies go by sendfile, straight to the socket (never under TLS); off, only answers
    /// from memory are taken.
    public var usesSendfile = true

    /// Answers from `server` for paths no route claims (`isRouted`), counted in `metrics` as the
    /// router's are and in `answered`, written into `accessLog`; connections without a request in
    /// progress close after `idleTimeout` (none for the streams of an HTTP/2 connection, which has
    /// its own).
    public init(
        server: StaticFileServer,
        isRouted: @escaping @Sendable (Substring) -> Bool,
        metrics: RouteMetricsRecorder,
        answered: Counter,
        accessLog: AccessLog,
        serverName: String?,
        idleTimeout: TimeAmount?
    ) {
        self.server = server
        self.isRouted = isRouted
        self.metrics = metrics
        self.answered = answered
        self.accessLog = accessLog
        self.serverName = serverName
        self.serverField = serverName.map { HTTPField(name: .server, value: $0) }
        self.idleTimeout = idleTimeout
    }
}
