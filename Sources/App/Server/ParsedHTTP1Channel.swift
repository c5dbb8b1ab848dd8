import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import Routing

/// HTTP/1.1 with its WebSocket upgrade (Hummingbird's), where a request that cannot be parsed is
/// answered with a JSON error rather than left waiting (`MalformedRequestHandler`), and so is a
/// handshake that is refused from its head alone (`WebSocketHandshakeGate`) and a first request
/// whose head does not come in time (`RequestHeadDeadline`).
struct ParsedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let http1: HTTP1WebSocketUpgradeChannel
    let requestHeadTimeout: Duration
    /// Where the lines of WebSocket handshakes and of requests the parser refuses go, which never
    /// reach the routes' access log.
    let accessLog: AccessLog
    /// Where WebSocket handshakes are counted.
    let metrics: RouteMetricsRecorder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        self.http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try MalformedRequestHandler.install(in: channel.pipeline.syncOperations, accessLog: self.accessLog)
            try WebSocketHandshakeGate.install(in: channel.pipeline.syncOperations, accessLog: self.accessLog, metrics: self.metrics)
            try RequestHeadDeadline.install(self.requestHeadTimeout, in: channel.pipeline.syncOperations)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await self.http1.handle(value: value, logger: logger)
    }
}
