import HTTPTypes
public import Logging
public import Metrics
public import NIOCore
public import NIOHTTPTypes

/// Writes one structured access-log line per request, when its response has been written:
/// method, target, status, body bytes in and out, duration and request id. It also counts the
/// body bytes of every request and response into the upload and download counters.
///
/// It works at the connection level, after the HTTP codec, so it sees every request, even those
/// answered before reaching the routes, and counts bytes without touching the bodies.
public final class AccessLogHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// The counters of body bytes, shared by all connections.
    public struct ByteCounters: Sendable {
        let received: Counter
        let sent: Counter

        /// Creates the counters in a metrics factory.
        public init(factory: any MetricsFactory) {
            self.received = Counter(label: "wharf_http_request_body_bytes_total", factory: factory)
            self.sent = Counter(label: "wharf_http_response_body_bytes_total", factory: factory)
        }
    }

    private struct Exchange {
        let method: String
        let target: String
        let start: ContinuousClock.Instant
        var bytesIn: Int = 0
        var bytesOut: Int = 0
        var status: Int = 0
        var requestID: String = "-"
    }

    private let logger: Logger
    /// Below info level no line is written, and requests are not tracked at all.
    private let logsRequests: Bool
    private let counters: ByteCounters
    /// Requests in arrival order; the first is the one being answered.
    private var exchanges: [Exchange] = []
    private var receiving: Int?

    /// Creates a handler for one connection.
    public init(logger: Logger, counters: ByteCounters) {
        self.logger = logger
        self.logsRequests = logger.logLevel <= .info
        self.counters = counters
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let request) where self.logsRequests:
            self.exchanges.append(Exchange(method: request.method.rawValue, target: request.path ?? "", start: .now))
            self.receiving = self.exchanges.count - 1
        case .head:
            break
        case .body(let buffer):
            if let index = self.receiving {
                self.exchanges[index].bytesIn += buffer.readableBytes
            }
            self.counters.received.increment(by: Int64(buffer.readableBytes))
        case .end:
            self.receiving = nil
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = self.unwrapOutboundIn(data)
        if case .body(let buffer) = part { self.counters.sent.increment(by: Int64(buffer.readableBytes)) }
        guard !self.exchanges.isEmpty else {
            context.write(data, promise: promise)
            return
        }
        switch part {
        case .head(let response):
            self.exchanges[0].status = response.status.code
            self.exchanges[0].requestID = response.headerFields[.requestID] ?? "-"
            context.write(data, promise: promise)
        case .body(let buffer):
            self.exchanges[0].bytesOut += buffer.readableBytes
            context.write(data, promise: promise)
        case .end:
            let exchange = self.exchanges.removeFirst()
            if let receiving = self.receiving { self.receiving = receiving - 1 }
            let logger = self.logger
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.write(data, promise: written)
            written.futureResult.whenComplete { result in
                let elapsed = ContinuousClock.now - exchange.start
                let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                let outcome: String
                if case .failure = result { outcome = "aborted" } else { outcome = "complete" }
                logger.info(
                    "request",
                    metadata: [
                        "method": .string(exchange.method),
                        "path": .string(exchange.target),
                        "status": .stringConvertible(exchange.status),
                        "bytes_in": .stringConvertible(exchange.bytesIn),
                        "bytes_out": .stringConvertible(exchange.bytesOut),
                        "duration_ms": .string(Self.format(milliseconds)),
                        "request_id": .string(exchange.requestID),
                        "outcome": .string(outcome),
                    ]
                )
            }
        }
    }

    /// Bytes sent by sendfile below the HTTP codec never pass here as body parts: their sender
    /// announces them.
    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let written = event as? ResponseBodyBytesSent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        self.counters.sent.increment(by: Int64(written.count))
        if !self.exchanges.isEmpty { self.exchanges[0].bytesOut += written.count }
        promise?.succeed()
    }

    static func format(_ milliseconds: Double) -> String {
        let micros = Int((milliseconds * 1000).rounded())
        let fraction = String(micros % 1000)
        return "\(micros / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}

/// An outbound event: `count` body bytes of the current response go out by other means than body
/// parts (a file region by sendfile), for the access log and the byte counters.
public struct ResponseBodyBytesSent: Sendable {
    /// How many.
    public let count: Int

    /// Announces `count` bytes.
    public init(count: Int) {
        self.count = count
    }
}
