import HTTPTypes
public import NIOCore
public import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Controls the flow of request bodies on a connection, where Hummingbird does not:
///
/// - `Expect: 100-continue` is answered with `100 Continue` when the route first reads the body
///   (`ContinueMiddleware` asks for it with a `ContinueRequest`), as nginx and Go's server do, so
///   a request refused before its body is read (401, 403, 404, 405, a full quota) gets its
///   answer before any body byte (RFC 9110 §10.1.1), and the client sends none. No 100 is sent
///   for a declared Content-Length over the limit (413) or once the body has started coming.
/// - When a response ends before its request body was read to the end (an early 400/413), the
///   rest of the body is not read: the response is flushed, the write side is shut, reads stop, and
///   the connection closes after a short linger that lets the client read the answer.
/// - While a large body (1 MiB or more, or of unknown length) is received, the connection reads
///   in larger pieces (`BodyReadSizes`), and goes back to NIO's reads when the body ends. Its
///   socket gets a receive buffer of its own size (the kernel's growing one starts small), which
///   it keeps for the rest of the connection: a socket cannot be handed back to the kernel's
///   growth, and the size is a ceiling on what waits unread, not memory taken.
/// - A body that stops coming while the server waits for it (a read asked, nothing read) for
///   `bodyTimeout` fails with a 408 `HTTPException`, as nginx's `client_body_timeout` ends it:
///   the route answers it (an upload drops what it staged, a tus piece keeps what came) and the
///   connection closes. A route that does not read on (backpressure) asks for no read, so its
///   own pace never counts against the client.
///
/// Sits after the HTTP codec, so it sees `HTTPRequestPart`s; requests are matched to responses in
/// order, which keeps it right for pipelined requests. On an HTTP/1 connection it puts a
/// `ConnectionPersistenceHandler` below the codec, where requests still have their version.
public final class RequestBodyFlowHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private let maxBodySize: Int64
    private let linger: TimeAmount
    /// Whether the request being received waits for a `100 Continue` not yet sent.
    private var isContinueAwaited = false
    private var requestsStarted = 0
    private var requestsEnded = 0
    private var responsesEnded = 0
    private var isDiscarding = false
    private let largeBodyReads: Bool
    private let readSizes: BodyReadSizes
    private var isReadingLargeBody = false
    /// The connection's reads per readiness before a large body.
    private var messagesPerRead: UInt?
    private var persistence: ConnectionPersistenceHandler?
    private let bodyTimeout: Duration?
    private var bodyDeadline: Scheduled<Void>?
    private let accessLog: AccessLog?

    /// Bodies from this size on are read in larger pieces.
    static let largeBody: Int64 = 1 << 20
    /// The socket's receive buffer while a large body comes (Linux doubles it for its bookkeeping
    /// and caps it at `net.core.rmem_max`).
    static let receiveBuffer: SocketOptionValue = 4 << 20

    /// Creates a handler for one connection.
    /// - Parameters:
    ///   - maxBodySize: the body size over which no `100 Continue` is sent.
    ///   - linger: how long a connection stays half-closed after an early response.
    ///   - largeBodyReads: whether large bodies are read in larger pieces; only a connection's
    ///     own socket can (not the streams of an HTTP/2 connection).
    ///   - bodyTimeout: how long a body may stop coming while the server waits for it (`nil`: for ever).
    ///   - readSizes: the read sizes this connection shares with the others.
    ///   - accessLog: where the lines of requests refused below the routes go (by the
    ///     `ConnectionPersistenceHandler` this handler puts on an HTTP/1 connection).
    public init(
        maxBodySize: Int64,
        linger: TimeAmount = .seconds(2),
        largeBodyReads: Bool = true,
        bodyTimeout: Duration? = nil,
        readSizes: BodyReadSizes = .shared,
        accessLog: AccessLog? = nil
    ) {
        self.readSizes = readSizes
        self.accessLog = accessLog
        self.maxBodySize = maxBodySize
        self.linger = linger
        self.largeBodyReads = largeBodyReads
        self.bodyTimeout = bodyTimeout
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.stopBodyDeadline()
        if self.isDiscarding { return }
        switch self.unwrapInboundIn(data) {
        case .head(let request):
            self.requestsStarted += 1
            self.isContinueAwaited = false
            if let expect = request.headerFields[.expect], expect.lowercased() == "100-continue" {
                let declared = request.headerFields[.contentLength].flatMap { Int64($0) }
                self.isContinueAwaited = declared.map { $0 <= self.maxBodySize } ?? true
            }
            if self.largeBodyReads, Self.hasLargeBody(request) { self.startLargeBodyReads(context: context) }
            context.fireChannelRead(data)
        case .body:
            // A client that stopped waiting (curl sends after a second) needs no 100 any more.
            self.isContinueAwaited = false
            context.fireChannelRead(data)
        case .end:
            self.requestsEnded += 1
            self.isContinueAwaited = false
            self.endLargeBodyReads(context: context)
            context.fireChannelRead(data)
        }
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        guard let codec = try? pipeline.handler(type: HTTP1ToHTTPServerCodec.self) else { return }
        let persistence = ConnectionPersistenceHandler(accessLog: self.accessLog)
        if (try? pipeline.addHandler(persistence, position: .before(codec))) != nil { self.persistence = persistence }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.stopBodyDeadline()
        self.endLargeBodyReads(context: context)
        if let persistence = self.persistence { context.pipeline.syncOperations.removeHandler(persistence, promise: nil) }
        self.persistence = nil
    }

    public func channelInactive(context: ChannelHandlerContext) {
        self.stopBodyDeadline()
        self.endLargeBodyReads(context: context)
        context.fireChannelInactive()
    }

    private static func hasLargeBody(_ request: HTTPRequest) -> Bool {
        if let length = request.headerFields[.contentLength] { return Int64(length).map { $0 >= Self.largeBody } ?? false }
        return request.headerFields[.transferEncoding] != nil
    }

    private func startLargeBodyReads(context: ChannelHandlerContext) {
        guard !self.isReadingLargeBody, let options = context.channel.syncOptions else { return }
        let largest = self.readSizes.enter()
        self.isReadingLargeBody = true
        // Starts at its share at once: a client that sends a body in pieces, each on a connection
        // of its own (tuspy), would otherwise spend each piece's first reads growing from NIO's
        // 64 KiB. Reads that come back small shrink it again.
        let reads = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: largest, maximum: largest)
        // Only a closed channel refuses, and it reads nothing more.
        try? options.setOption(ChannelOptions.recvAllocator, value: reads)
        // A connection starts with a small receive window that the kernel grows as it sees the
        // reads keep up; until then each read's window update sends the client's next segments
        // from this core. A client that sends each piece on a new connection (tuspy) spends much
        // of every piece there: a buffer this size from the start took 4-7% off a tus upload's
        // CPU time here, and made its reads larger. The kernel's own growth may reach further
        // (`tcp_rmem`), but only on a connection it has watched for a while.
        try? options.setOption(ChannelOptions.socketOption(.so_rcvbuf), value: Self.receiveBuffer)
        // NIO's pool of read buffers copies each buffer it adds while it fills (a whole buffer,
        // read or not: a megabyte each time), so a pool of one, which never fills, copies nothing.
        self.messagesPerRead = try? options.getOption(ChannelOptions.maxMessagesPerRead)
        try? options.setOption(ChannelOptions.maxMessagesPerRead, value: 1)
    }

    private func endLargeBodyReads(context: ChannelHandlerContext) {
        guard self.isReadingLargeBody else { return }
        self.isReadingLargeBody = false
        self.readSizes.leave()
        let options = context.channel.syncOptions
        try? options?.setOption(ChannelOptions.recvAllocator, value: AdaptiveRecvByteBufferAllocator())
        if let messagesPerRead = self.messagesPerRead { try? options?.setOption(ChannelOptions.maxMessagesPerRead, value: messagesPerRead) }
    }

    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is ContinueRequest else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if self.isContinueAwaited {
            self.isContinueAwaited = false
            context.writeAndFlush(self.wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            // The client was told to send: from now on its silence counts.
            self.startBodyDeadline(context: context)
        }
        promise?.succeed()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = self.unwrapOutboundIn(data) else {
            // A final answer before the body was asked for: no 100 may follow it.
            self.isContinueAwaited = false
            context.write(data, promise: promise)
            return
        }
        self.responsesEnded += 1
        // The response just ended answers request number `responsesEnded`; its body is unread
        // when fewer request ends than that have been seen.
        guard self.requestsEnded < self.responsesEnded, !self.isDiscarding else {
            context.write(data, promise: promise)
            return
        }
        self.isDiscarding = true
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.cascade(to: promise)
        context.writeAndFlush(data, promise: written)
        let channel = context.channel
        let linger = self.linger
        written.futureResult.whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
        }
    }

    public func read(context: ChannelHandlerContext) {
        // After an early response the rest of the body is left unread rather than drained.
        guard !self.isDiscarding else { return }
        // A client waiting for its 100 is not late with its body.
        if self.requestsStarted > self.requestsEnded, !self.isContinueAwaited { self.startBodyDeadline(context: context) }
        context.read()
    }

    /// Fails the body being read when nothing of it comes within `bodyTimeout` of asking.
    private func startBodyDeadline(context: ChannelHandlerContext) {
        guard let timeout = self.bodyTimeout, self.bodyDeadline == nil else { return }
        self.bodyDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
            self.bodyDeadline = nil
            context.fireErrorCaught(HTTPException(.requestTimeout, "The request's body stopped coming: nothing of it for \(timeout)."))
        }
    }

    private func stopBodyDeadline() {
        self.bodyDeadline?.cancel()
        self.bodyDeadline = nil
    }
}
