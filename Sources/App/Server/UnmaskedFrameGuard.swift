import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Closes a WebSocket whose client sends a frame it did not mask, as RFC 6455 §5.1 asks of a
/// server: a Close frame with 1002 (protocol error), then the connection. A client's mask keeps
/// proxies that misread the stream from taking its bytes for requests; neither NIO's frame decoder
/// nor hummingbird-websocket checks it, so this handler sits right behind the decoder.
final class UnmaskedFrameGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// After the refusal, nothing more the client sends is passed on.
    private var refused = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.refused else { return }
        guard Self.unwrapInboundIn(data).maskKey == nil else {
            context.fireChannelRead(data)
            return
        }
        self.refused = true
        var code = context.channel.allocator.buffer(capacity: 2)
        code.write(webSocketErrorCode: .protocolError)
        let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: code)
        context.writeAndFlush(Self.wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// Waits, behind the upgrade handler of a connection the WebSocket router upgrades, for the
    /// upgrade to be done, then puts a guard behind the frame decoder it added, before the frames
    /// that came with the handshake are passed on.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            guard case .upgradeComplete = event as? HTTPServerUpgradeEvents else {
                context.fireUserInboundEventTriggered(event)
                return
            }
            let pipeline = context.pipeline.syncOperations
            if let decoder = try? pipeline.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self) {
                // Only a channel that closed meanwhile refuses, and it reads nothing more.
                try? pipeline.addHandler(UnmaskedFrameGuard(), position: .after(decoder))
            }
            context.fireUserInboundEventTriggered(event)
            pipeline.removeHandler(context: context, promise: nil)
        }
    }
}
