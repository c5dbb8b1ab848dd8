import NIOCore
import NIOHTTP2

/// Closes an HTTP/2 connection whose client has not let it end within its deadline of the
/// server's first GOAWAY: NIO's connection manager, after an idle connection's GOAWAY and
/// PING, closes it only once the PING is acknowledged, so a client that never answers would hold
/// it for ever. It sits right behind the HTTP/2 handler, where the manager's frames pass.
final class GoAwayDeadline: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTP2Frame

    private let deadline: Duration
    private var expiry: Scheduled<Void>?

    init(_ deadline: Duration) {
        self.deadline = deadline
    }

    /// Puts a deadline right behind the HTTP/2 handler of `pipeline`.
    static func install(_ deadline: Duration, in pipeline: ChannelPipeline.SynchronousOperations) throws {
        let http2 = try pipeline.handler(type: NIOHTTP2Handler.self)
        try pipeline.addHandler(GoAwayDeadline(deadline), position: .after(http2))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if self.expiry == nil, case .goAway = self.unwrapOutboundIn(data).payload {
            self.expiry = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(self.deadline)) { context.close(promise: nil) }
        }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.expiry?.cancel()
    }
}
