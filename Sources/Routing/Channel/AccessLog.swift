public import Logging
public import Metrics
public import NIOCore

/// The access log and the body byte counters: one structured line per request, when its answer
/// has been written (the client's address, method, target, status, body bytes in and out,
/// duration, request id), and the bytes of every request and answer body counted as uploads and
/// downloads. Written by `AccessLogHandler` for the requests that reach it, and by the static fast
/// path, which answers before them.
public struct AccessLog: Sendable {
    /// The counters of body bytes, shared by all connections.
    public struct ByteCounters: Sendable {
        /// Request body bytes.
        public let received: Counter
        /// Response body bytes.
        public let sent: Counter

        /// Creates the counters in a metrics factory.
        public init(factory: any MetricsFactory) {
            self.received = Counter(label: "wharf_http_request_body_bytes_total", factory: factory)
            self.sent = Counter(label: "wharf_http_response_body_bytes_total", factory: factory)
        }
    }

    /// One request and what was answered, as its line shows it.
    public struct Exchange: Sendable {
        /// The connection's peer, as nginx's `$remote_addr` (made text only when the line is written).
        let client: SocketAddress?
        let method: String
        let target: String
        /// When the request came.
        public let start: ContinuousClock.Instant
        var bytesIn: Int = 0
        var bytesOut: Int = 0
        var status: Int = 0
        var requestID: String = "-"

        /// A request from `client` that arrived at `start`.
        public init(client: SocketAddress?, method: String, target: String, start: ContinuousClock.Instant) {
            self.client = client
            self.method = method
            self.target = target
            self.start = start
        }

        /// The answer's status, request id and body size.
        public mutating func answered(status: Int, requestID: String, bytesOut: Int) {
            self.status = status
            self.requestID = requestID
            self.bytesOut = bytesOut
        }

        /// Counts bytes carried after the answer's head: what a WebSocket session's messages carry.
        public mutating func carried(in received: Int, out sent: Int) {
            self.bytesIn += received
            self.bytesOut += sent
        }
    }

    private let logger: Logger
    /// Below info level no line is written, and requests need not be tracked at all.
    public let logsRequests: Bool
    /// The body byte counters.
    public let counters: ByteCounters

    /// Writes lines to `logger`, counts into `counters`.
    public init(logger: Logger, counters: ByteCounters) {
        self.logger = logger
        self.logsRequests = logger.logLevel <= .info
        self.counters = counters
    }

    /// Writes the line of `exchange`, whose answer was written completely or not (`complete`).
    public func write(_ exchange: Exchange, complete: Bool) {
        let elapsed = ContinuousClock.now - exchange.start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        self.logger.info(
            "request",
            metadata: [
                "client": .string(exchange.client?.ipAddress ?? "-"),
                "method": .string(exchange.method),
                "path": .string(exchange.target),
                "status": .stringConvertible(exchange.status),
                "bytes_in": .stringConvertible(exchange.bytesIn),
                "bytes_out": .stringConvertible(exchange.bytesOut),
                "duration_ms": .string(Self.format(milliseconds)),
                "request_id": .string(exchange.requestID),
                "outcome": .string(complete ? "complete" : "aborted"),
            ]
        )
    }

    /// What writes the line of `exchange`, answered with `status` (and `requestID`) outside the
    /// routes, once that answer is written whole or not: for `MalformedRequestHandler.refuse`.
    public func lineWhenWritten(_ exchange: Exchange, status: Int, requestID: String = "-") -> (_ complete: Bool, _ bodyBytes: Int) -> Void {
        { complete, bodyBytes in
            var exchange = exchange
            exchange.answered(status: status, requestID: requestID, bytesOut: bodyBytes)
            self.write(exchange, complete: complete)
        }
    }

    static func format(_ milliseconds: Double) -> String {
        let micros = Int((milliseconds * 1000).rounded())
        let fraction = String(micros % 1000)
        return "\(micros / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
