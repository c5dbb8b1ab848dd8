public import NIOCore
public import NIOHTTP1

/// Answers a request that cannot be parsed as HTTP/1 with a JSON error and closes the connection:
/// 400 (431 for header fields over the limit), `{"detail": ...}` naming what the parser found.
/// Left alone, the parser's error on a connection's first request reached no one (the WebSocket
/// upgrade handler waits for a head) and the client waited until the idle timeout.
///
/// It sits right above the HTTP/1 decoder from the connection's start and answers while the
/// connection has had no request yet; from the first request on, `ConnectionPersistenceHandler`
/// answers such errors, in their turn after the answers owed, and removes this one. It reads and
/// writes nothing else, so it stays harmless in a connection upgraded to another protocol.
public final class MalformedRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = Never

    /// Where the refusal's line goes (method and path `-`: the parser gave neither).
    private let accessLog: AccessLog?

    /// A handler for one connection.
    public init(accessLog: AccessLog?) {
        self.accessLog = accessLog
    }

    /// Puts a handler right above the HTTP/1 decoder of `pipeline`.
    public static func install(in pipeline: ChannelPipeline.SynchronousOperations, accessLog: AccessLog?) throws {
        let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try pipeline.addHandler(MalformedRequestHandler(accessLog: accessLog), position: .after(decoder))
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let (status, detail) = Self.refusal(of: parserError)
        let line = self.accessLog?.lineWhenWritten(
            AccessLog.Exchange(client: context.channel.remoteAddress, method: "-", target: "-", start: .now),
            status: Int(status.code)
        )
        Self.refuse(status: status, detail: detail, context: context, endingInput: true, written: line)
    }

    /// Writes the answer to a request refused before it reached the routes (with `headers` besides
    /// its own), then closes the connection. `endingInput` (before a connection's first request):
    /// the connection is ended as a client's closing ends it, which the upgrade handler waiting for
    /// that request takes in its stride; closed under it, it fails, and Hummingbird logs that as an
    /// error. `written` learns whether the answer went out whole, and the size of its body.
    public static func refuse(
        status: HTTPResponseStatus,
        detail: String,
        headers: HTTPHeaders = [:],
        context: ChannelHandlerContext,
        endingInput: Bool = false,
        written: ((_ complete: Bool, _ bodyBytes: Int) -> Void)? = nil
    ) {
        let body = JSONCoding.encode(ErrorBody(detail: .message(detail)))
        var headers = headers
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).assumeIsolated().whenComplete { result in
            written?((try? result.get()) != nil, body.readableBytes)
            if endingInput { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
            context.close(promise: nil)
        }
    }

    /// The status and detail that answer a request the parser refused.
    static func refusal(of error: HTTPParserError) -> (HTTPResponseStatus, String) {
        switch error {
        case .headerOverflow:
            (.requestHeaderFieldsTooLarge, "The request's header fields are too large.")
        case .unknown:
            (.badRequest, "The request is not valid HTTP/1.1.")
        default:
            (.badRequest, "The request is not valid HTTP/1.1 (\(error)).")
        }
    }
}
