import NIOCore
import NIOHTTPTypes

/// The last handler of an HTTP/2 stream until the fast path passes a request part on: then it
/// makes the stream an async channel for the responder (`passOn` adds its handlers), sends the
/// part on through them, and leaves.
final class StreamHandOff: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart

    private let passOn: (any Channel) throws -> Void

    init(passOn: @escaping (any Channel) throws -> Void) {
        self.passOn = passOn
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try self.passOn(context.channel)
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
