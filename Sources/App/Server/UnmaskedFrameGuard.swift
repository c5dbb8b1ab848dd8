import NIOCore
import NIOHTTP1
import NIOWebSocket
import Routing

/// Closes a WebSocket whose client sends a frame it did not mask, as RFC 6455 §5.1 asks of a
/// server: a Close frame with 1002 (protocol error), then the connection. A client's mask keeps
/// proxies that misread the stream from taking its bytes for requests; neither NIO's frame decoder
/// nor hummingbird-websocket checks it, so this handler sits right behind the decoder.
///
/// It also writes the session's access-log line when the connection ends, as nginx logs a
/// WebSocket: the handshake's method, path, 101 and request id, the bytes the frames carried each
/// way, and how long the session lasted.
final class UnmaskedFrameGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// After the refusal, nothing more the client sends is passed on.
    private var refused = false
    private var line: SessionLine

    init(line: SessionLine) {
        self.line = line
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.refused else { return }
        let frame = Self.unwrapInboundIn(data)
        self.line.carried(in: frame.length, out: 0)
        guard frame.maskKey == nil else {
            context.fireChannelRead(data)
            return
        }
        self.refused = true
        var code = context.channel.allocator.buffer(capacity: 2)
        code.write(webSocketErrorCode: .protocolError)
        let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: code)
        self.line.carried(in: 0, out: close.length)
        context.writeAndFlush(Self.wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.line.carried(in: 0, out: Self.unwrapOutboundIn(data).length)
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.line.write(complete: true)
        context.fireChannelInactive()
    }

    /// Waits, behind the upgrade handler of a connection the WebSocket router upgrades, for the
    /// upgrade to be done, then puts a guard behind the frame decoder it added, before the frames
    /// that came with the handshake are passed on. A connection that ends before gets the
    /// session's line here.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny

        private var line: SessionLine

        init(line: SessionLine) {
            self.line = line
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            guard case .upgradeComplete = event as? HTTPServerUpgradeEvents else {
                context.fireUserInboundEventTriggered(event)
                return
            }
            let pipeline = context.pipeline.syncOperations
            if let decoder = try? pipeline.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self) {
                // Only a channel that closed meanwhile refuses, and it reads nothing more.
                try? pipeline.addHandler(UnmaskedFrameGuard(line: self.line.handedOver()), position: .after(decoder))
            }
            context.fireUserInboundEventTriggered(event)
            pipeline.removeHandler(context: context, promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.line.write(complete: false)
            context.fireChannelInactive()
        }
    }
}

/// The access-log line of a WebSocket session, written once, when the session ends.
struct SessionLine {
    private var session: AccessLog.Exchange?
    private let log: AccessLog

    /// The line of `session` (`nil`: none is written), for `log`.
    init(_ session: AccessLog.Exchange?, log: AccessLog) {
        self.session = session
        self.log = log
    }

    mutating func carried(in received: Int, out sent: Int) {
        self.session?.carried(in: received, out: sent)
    }

    /// The line, for the handler that takes it on; this one writes nothing more.
    mutating func handedOver() -> SessionLine {
        SessionLine(self.session.take(), log: self.log)
    }

    /// Writes the line (once), the session's answer written whole or not (`complete`).
    mutating func write(complete: Bool) {
        if let session = self.session.take() { self.log.write(session, complete: complete) }
    }
}
