public import NIOCore

/// What both carriers of the fast path (`StaticFastPathHandler` on HTTP/1 connections,
/// `StaticFastPathStreamHandler` on HTTP/2 streams) do alike: the channel's events that carry no
/// HTTP part go to their `FastPathConnection`, which holds them back while an answer is paced.
public class StaticFastPathCarrier {
    let connection: FastPathConnection

    init(configuration: StaticFastPathConfiguration) {
        self.connection = FastPathConnection(configuration: configuration)
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.connection.added(context: context)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.connection.removed()
        // An answer written here this turn is flushed from here no more (`TurnFlush`).
        context.channel.flush()
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if self.connection.passesReadComplete() { context.fireChannelReadComplete() }
    }

    public func read(context: ChannelHandlerContext) {
        if self.connection.passesRead() { context.read() }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        self.connection.inactive()
        context.fireChannelInactive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if self.connection.passes(event: event) { context.fireUserInboundEventTriggered(event) }
    }
}
