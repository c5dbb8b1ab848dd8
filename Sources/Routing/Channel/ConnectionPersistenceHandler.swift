import NIOCore
import NIOHTTP1

/// Keeps an HTTP/1 connection open after an answer, or ends it, as its request asked (RFC 9112
/// §9.3): HTTP/1.1 persists unless the request says `Connection: close`, HTTP/1.0 only when it
/// says `Connection: keep-alive` and the answer has a length. An answer that ends the connection
/// says `Connection: close`, the connection closes once it is out, and requests pipelined after
/// that request are not read. A request that cannot be parsed ends it too, and so does an HTTP/1.1
/// request without exactly one `Host` field (RFC 9112 §3.2), a CONNECT, or one whose body has a transfer
/// coding besides chunked (501, RFC 9112 §6.1: its bytes would be stored still coded): once the
/// answers owed to the requests before it are out, it is answered with a JSON error
/// (`MalformedRequestHandler`), unless it failed inside its body, which fails that request's
/// body and so its answer says so.
///
/// It sits below the HTTP/1 codec, where requests still carry their version (the HTTP types
/// above it have none), frames answers of unknown length to HTTP/1.0 by closing the connection
/// instead of chunks, which HTTP/1.0 clients do not read, and drops an HTTP/1.0 request's
/// `Expect`, so that no `100 Continue` goes to it.
final class ConnectionPersistenceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private struct Request {
        let version: HTTPVersion
        let keepAlive: Bool
        var ended = false
    }

    /// Requests not answered yet, in arrival order.
    private var requests = CircularBuffer<Request>()
    /// A request that ends the connection has been read: nothing after it is.
    private var readingStopped = false
    /// The answer being written ends the connection.
    private var answerEndsConnection = false
    /// A request refused before the routes (the parser failed between requests, or a bad `Host`):
    /// answered once no answer is owed.
    private var refusal: (status: HTTPResponseStatus, detail: String, request: AccessLog.Exchange)?
    /// Where the lines of refused requests go: the routes' access log never sees them.
    private let accessLog: AccessLog?

    /// A handler for one connection.
    init(accessLog: AccessLog?) {
        self.accessLog = accessLog
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // From here on this handler answers what cannot be parsed; the other would only pass
        // every part read on.
        let pipeline = context.pipeline.syncOperations
        if let malformed = try? pipeline.handler(type: MalformedRequestHandler.self) { pipeline.removeHandler(malformed, promise: nil) }
    }

    /// How many `Host` fields `headers` has, counted without collecting their values in an
    /// array (a malloc in every request otherwise).
    private static func hostFields(in headers: HTTPHeaders) -> Int {
        var count = 0
        for (name, _) in headers where name.utf8.count == 4 && name.lowercased() == "host" { count += 1 }
        return count
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.readingStopped else { return }
        switch self.unwrapInboundIn(data) {
        case .head(var head):
            if head.version == .http1_1 && Self.hostFields(in: head.headers) != 1 {
                self.refuse((.badRequest, "An HTTP/1.1 request names its host in exactly one Host field."), head, context: context)
                return
            }
            if head.method == .CONNECT {
                // Wharf is no proxy; nginx refuses CONNECT with 400 too. NIO's encoder sends every
                // answer to CONNECT without a body (and without its length), so the status line
                // and the close say it: kept open, the client would wait for a body to end.
                self.refuse((.badRequest, "CONNECT is not served: Wharf is not a proxy."), head, context: context)
                return
            }
            if head.headers[canonicalForm: "transfer-encoding"].contains(where: { $0.lowercased() != "chunked" }) {
                self.refuse((.notImplemented, "Request bodies may be chunked, in no other transfer coding."), head, context: context)
                return
            }
            self.requests.append(Request(version: head.version, keepAlive: head.isKeepAlive))
            // No 1xx goes to an HTTP/1.0 client, which would take it for the answer: its
            // expectation is ignored (RFC 9110 §10.1.1), and its body comes unasked.
            if head.version != .http1_1 && head.headers.contains(name: "expect") {
                head.headers.remove(name: "expect")
                context.fireChannelRead(self.wrapInboundOut(.head(head)))
                return
            }
        case .body:
            break
        case .end:
            if !self.requests.isEmpty { self.requests[self.requests.index(before: self.requests.endIndex)].ended = true }
            if self.requests.last?.keepAlive == false { self.readingStopped = true }
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, self.requests.last?.ended ?? true else {
            context.fireErrorCaught(error)
            return
        }
        // Bytes after a request that ended the connection: not read, and owed no answer.
        guard parserError != .closedConnection else { return }
        self.refuse(MalformedRequestHandler.refusal(of: parserError), nil, context: context)
    }

    /// Stops reading and answers `refusal` to the request of `head` (`nil`: one the parser
    /// refused) once no earlier answer is owed.
    private func refuse(_ refusal: (status: HTTPResponseStatus, detail: String), _ head: HTTPRequestHead?, context: ChannelHandlerContext) {
        guard !self.readingStopped else { return }
        self.readingStopped = true
        let request = AccessLog.Exchange(
            client: context.channel.remoteAddress,
            method: head?.method.rawValue ?? "-",
            target: head?.uri ?? "-",
            start: .now
        )
        self.refusal = (refusal.status, refusal.detail, request)
        self.refuseWhenDue(context: context)
    }

    private func refuseWhenDue(context: ChannelHandlerContext) {
        guard let refusal = self.refusal, self.requests.isEmpty else { return }
        self.refusal = nil
        let line = self.accessLog?.lineWhenWritten(refusal.request, status: Int(refusal.status.code))
        MalformedRequestHandler.refuse(status: refusal.status, detail: refusal.detail, context: context, written: line)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            guard let request = self.requests.first else { break }
            self.answerEndsConnection = !request.keepAlive
            // An HTTP/1.1 answer to an HTTP/1.1 request that persists goes as it is.
            guard request.version != .http1_1 || self.answerEndsConnection else { break }
            let hasLength = head.headers.contains(name: "content-length") || !head.status.mayHaveResponseBody
            self.answerEndsConnection = self.answerEndsConnection || (request.version == .http1_0 && !hasLength)
            if request.version == .http1_0 && !hasLength {
                // HTTP/1.1 framing would be chunked: HTTP/1.0 framing ends the body by closing.
                head.version = .http1_0
            }
            if self.answerEndsConnection {
                head.headers.replaceOrAdd(name: "Connection", value: "close")
            } else if request.version == .http1_0 {
                head.headers.replaceOrAdd(name: "Connection", value: "keep-alive")
            }
            context.write(self.wrapOutboundOut(.head(head)), promise: promise)
            return
        case .head, .body:
            break
        case .end:
            guard let request = self.requests.popFirst(), self.answerEndsConnection else {
                context.write(data, promise: promise)
                self.refuseWhenDue(context: context)
                return
            }
            self.answerEndsConnection = false
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.writeAndFlush(data, promise: written)
            // A request whose body is still arriving was answered early: the body flow handler
            // lets the client read the answer before the connection closes.
            guard request.ended else { return }
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.write(data, promise: promise)
    }
}

extension HTTPResponseStatus {
    /// Whether an answer with this status may carry a body (RFC 9110 §6.4.1).
    fileprivate var mayHaveResponseBody: Bool {
        self.code >= 200 && self != .noContent && self != .notModified
    }
}
