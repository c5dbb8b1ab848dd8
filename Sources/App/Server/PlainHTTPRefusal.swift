import NIOCore

/// Answers a plain HTTP request sent to the HTTPS port, as nginx and Caddy do, instead of letting
/// the TLS handshake fail on it and the connection close without a word: a 400 with a JSON detail
/// that says which scheme to use, then the close.
///
/// It sits before the TLS handler and looks at a connection's first byte only: a TLS connection
/// starts with a handshake record (0x16), an HTTP request with a method's letter. Either way it
/// then leaves the pipeline.
final class PlainHTTPRefusal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = self.unwrapInboundIn(data)
        guard let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self), (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
            return
        }
        let detail = #"{"detail":"This port speaks HTTPS: the request was sent as plain HTTP."}"#
        let answer =
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: \(detail.utf8.count)\r\nConnection: close\r\n\r\n"
            + detail
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: answer))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
