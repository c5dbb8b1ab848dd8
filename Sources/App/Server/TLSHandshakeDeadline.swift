import NIOCore
import NIOTLS

/// Closes a TLS connection whose handshake has not finished within its deadline: until it has,
/// no HTTP handler is there to time the connection out, and a client that connects and sends
/// nothing would hold it for ever. It sits right behind the TLS handler and leaves once the
/// handshake is done; the HTTP/1 request head then has a deadline of its own.
final class TLSHandshakeDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let deadline: Duration
    private var expiry: Scheduled<Void>?

    init(_ deadline: Duration) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.expiry = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(self.deadline)) { context.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.expiry?.cancel()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
        if case TLSUserEvent.handshakeCompleted = event { context.pipeline.syncOperations.removeHandler(self, promise: nil) }
    }
}
