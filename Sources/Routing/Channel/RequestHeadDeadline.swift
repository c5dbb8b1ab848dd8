public import NIOCore
public import NIOHTTP1

/// Ends a connection whose first request head has not come within its deadline with a 408 JSON
/// error, as nginx's `client_header_timeout` ends it: a client that connects and sends nothing, or
/// a head that never ends, would otherwise hold its connection and descriptor for ever, since a
/// connection's idle timeout starts with its first request. It sits right above the HTTP/1
/// decoder and leaves once a head was read.
public final class RequestHeadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPServerRequestPart

    private let deadline: Duration
    private var expiry: Scheduled<Void>?

    /// A deadline `deadline` after the connection's start.
    public init(_ deadline: Duration) {
        self.deadline = deadline
    }

    /// Puts a deadline right above the HTTP/1 decoder of `pipeline`.
    public static func install(_ deadline: Duration, in pipeline: ChannelPipeline.SynchronousOperations) throws {
        let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try pipeline.addHandler(RequestHeadDeadline(deadline), position: .after(decoder))
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.expiry = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(self.deadline)) {
            let detail = "The request's head did not come within \(self.deadline)."
            MalformedRequestHandler.refuse(status: .requestTimeout, detail: detail, context: context, endingInput: true)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.expiry?.cancel()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        // Removed once the head is passed on: a removed handler's context leads nowhere.
        if case .head = self.unwrapInboundIn(data) { context.pipeline.syncOperations.removeHandler(self, promise: nil) }
    }
}
