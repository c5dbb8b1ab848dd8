import HTTPTypes
import Metrics
public import NIOCore
public import NIOHTTPTypes

/// Writes the access-log line of each request that reaches it (`AccessLog`), when its response
/// has been written, and counts the body bytes of every request and response it sees.
///
/// It works at the connection level, after the HTTP codec, so it sees every request, even those
/// answered before reaching the routes, and counts bytes without touching the bodies.
public final class AccessLogHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private let log: AccessLog
    /// Requests in arrival order; the first is the one being answered.
    private var exchanges: [AccessLog.Exchange] = []
    private var receiving: Int?

    /// Creates a handler for one connection.
    public init(log: AccessLog) {
        self.log = log
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let request) where self.log.logsRequests:
            self.exchanges.append(
                AccessLog.Exchange(client: context.channel.remoteAddress, method: request.method.rawValue, target: request.path ?? "", start: .now)
            )
            self.receiving = self.exchanges.count - 1
        case .head:
            break
        case .body(let buffer):
            if let index = self.receiving {
                self.exchanges[index].bytesIn += buffer.readableBytes
            }
            self.log.counters.received.increment(by: Int64(buffer.readableBytes))
        case .end:
            self.receiving = nil
        }
        context.fireChannelRead(data)
    }

    /// The connection (or HTTP/2 stream) ended with answers unfinished: a download the client
    /// left, a stream it reset. Each still gets its line, `aborted`, with what was written of it;
    /// one whose answer had not begun says 499, as nginx logs a request its client closed.
    public func channelInactive(context: ChannelHandlerContext) {
        for var exchange in self.exchanges {
            if exchange.status == 0 { exchange.status = 499 }
            self.log.write(exchange, complete: false)
        }
        self.exchanges.removeAll()
        self.receiving = nil
        context.fireChannelInactive()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = self.unwrapOutboundIn(data)
        if case .body(let buffer) = part { self.log.counters.sent.increment(by: Int64(buffer.readableBytes)) }
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
            let log = self.log
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.write(data, promise: written)
            written.futureResult.whenComplete { result in log.write(exchange, complete: (try? result.get()) != nil) }
        }
    }
}
