import FileResponses
import Glibc
import HTTPTypes
public import Metrics
public import NIOCore
import NIOHTTP1
public import NIOHTTPTypes
import NIOHTTPTypesHTTP1
public import Routing

/// The event-loop carrier of static answers: a GET or HEAD that `StaticFileServer` can answer
/// from its caches at once is answered here, before it reaches Hummingbird's async responder;
/// anything else goes on as it came.
///
/// Order on the connection is kept: a request is taken here only while no request passed on is
/// still unanswered, so an answer written here never overtakes one still being made. Answers
/// carry what the middleware stack adds (request id, `X-Process-Time`, `Date`, `Server`), are
/// counted in the same route metrics, and are written into the access log and its byte counters
/// here: the handler sits first after the HTTP codec, so that the requests it takes pass through
/// no other handler (passing the access log's and the body flow's handlers cost up to a fifth of
/// a small answer's time on the event loop, `FastPathProbe`). File bodies go out by sendfile
/// (`FileRegion`s written below the HTTP codec), at most `regionChunk` bytes per turn of the event
/// loop, with the connection's reads held meanwhile; cached ones as buffers.
///
/// Hummingbird's connection state handler behind this one sees only the requests passed on, so
/// the idle timeout of the connection is kept here (Hummingbird's own must be off), and a
/// quiesce at shutdown waits until the answer being sent here is out.
public final class StaticFastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// What every connection's handler shares.
    public struct Configuration: Sendable {
        let server: StaticFileServer
        let isRouted: @Sendable (Substring) -> Bool
        let metrics: RouteMetricsRecorder
        let answered: Counter
        let accessLog: AccessLog
        /// The `Server` field, if answers carry one.
        let serverField: HTTPField?
        public var idleTimeout: TimeAmount?
        /// Off, every request goes on (only the idle timeout is kept here).
        public var answers = true
        /// File bodies go by sendfile, straight to the socket (never under TLS); off, only
        /// answers from memory are taken.
        public var usesSendfile = true

        /// Answers from `server` for paths no route claims (`isRouted`), counted in `metrics` as
        /// the router's are and in `answered`, written into `accessLog`; connections without a
        /// request in progress close after `idleTimeout` (none for the streams of an HTTP/2
        /// connection, which has its own).
        public init(
            server: StaticFileServer,
            isRouted: @escaping @Sendable (Substring) -> Bool,
            metrics: RouteMetricsRecorder,
            answered: Counter,
            accessLog: AccessLog,
            serverName: String?,
            idleTimeout: TimeAmount?
        ) {
            self.server = server
            self.isRouted = isRouted
            self.metrics = metrics
            self.answered = answered
            self.accessLog = accessLog
            self.serverField = serverName.map { HTTPField(name: .server, value: $0) }
            self.idleTimeout = idleTimeout
        }
    }

    private struct Held {
        let request: HTTPRequest
        let answer: CachedStaticAnswer
        let start: ContinuousClock.Instant
    }

    /// The most a file region sends in one turn of the event loop, as nginx's
    /// `sendfile_max_chunk`: on a fast connection (loopback, a LAN) one sendfile(2) call sent a
    /// whole large file while every other connection of the loop waited.
    static let regionChunk: Int64 = 2 << 20
    /// How long after a region the next is sent: long enough that the loop turns first.
    static let turn = TimeAmount.microseconds(20)

    /// A body part still to send: bytes, or a file region (start and end offsets).
    private enum Part {
        case bytes(ByteBuffer)
        case region(Int64, Int64)
    }

    /// An answer's body parts still to send, and what its regions are read from.
    private final class Outgoing {
        let parts: [Part]
        var next = 0
        let handle: NIOFileHandle?
        let written: EventLoopPromise<Void>

        init(parts: [Part], handle: NIOFileHandle?, written: EventLoopPromise<Void>) {
            self.parts = parts
            self.handle = handle
            self.written = written
        }
    }

    private let configuration: Configuration
    /// Requests passed on whose answers have not ended yet.
    private var passedOn = 0
    /// The parts of the request being read go on.
    private var passing = false
    /// A request taken here, answered once its end has been read.
    private var held: Held?
    /// Answers written here whose last byte is not out yet.
    private var sending = 0
    /// Shutdown asked the connection to wind down: nothing more is taken here.
    private var quiescing = false
    /// The quiesce event, held while an answer sent here is still going out.
    private var quiesce: Any?
    private var regionWriter: FileRegionWriter?
    /// An answer sent from here is still being written a region at a time: nothing else may be
    /// written before its end, so what is read meanwhile waits here, and reading stops.
    private var pacing = false
    private var readsWhilePacing = CircularBuffer<NIOAny>()
    private var readCompleteWhilePacing = false
    private var readAskedWhilePacing = false
    private var dates = DateHeader()
    /// The metrics of the last answer's route, method and status: a connection mostly asks alike.
    private var lastMetrics: (route: String, method: HTTPRequest.Method, status: Int, metrics: RouteMetrics)?
    private var lastActive = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?

    /// A handler for one connection.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        // Only a plain HTTP/1 connection (a socket channel: an HTTP/2 stream channel traps on
        // the option below) sends by sendfile.
        if self.configuration.usesSendfile, let codec = try? context.pipeline.syncOperations.handler(type: HTTP1ToHTTPServerCodec.self) {
            let writer = FileRegionWriter()
            if (try? context.pipeline.syncOperations.addHandler(writer, position: .before(codec))) != nil { self.regionWriter = writer }
            // An answer sent from here up to this size (a range, a small file) leaves the
            // channel writable: with NIO's default of 64 KiB, each one turned it unwritable and
            // back, and both changes went through the pipeline to Hummingbird's idle async writer.
            let waterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 128 << 10, high: 256 << 10)
            try? context.channel.syncOptions?.setOption(.writeBufferWaterMark, value: waterMark)
        }
        self.scheduleIdleCheck(context: context)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.idleCheck?.cancel()
        if let writer = self.regionWriter { context.pipeline.syncOperations.removeHandler(writer, promise: nil) }
        self.regionWriter = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.pacing {
            self.readsWhilePacing.append(data)
            return
        }
        self.lastActive = .now()
        switch self.unwrapInboundIn(data) {
        case .head(let request):
            if self.passedOn == 0, !self.quiescing, let answer = self.answer(request) {
                self.held = Held(request: request, answer: answer, start: .now)
                self.passing = false
                return
            }
            self.passedOn += 1
            self.passing = true
        case .body(let bytes):
            // A GET that carries a body anyway: the static answer ignores it, as the router's would.
            if !self.passing {
                self.configuration.accessLog.counters.received.increment(by: Int64(bytes.readableBytes))
                return
            }
        case .end:
            if let held = self.held {
                self.held = nil
                self.send(held, context: context)
                return
            }
            if !self.passing { return }
            self.passing = false
        }
        context.fireChannelRead(data)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if self.pacing {
            self.readCompleteWhilePacing = true
            return
        }
        context.fireChannelReadComplete()
    }

    public func read(context: ChannelHandlerContext) {
        if self.pacing {
            self.readAskedWhilePacing = true
            return
        }
        context.read()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        self.held = nil
        self.pacing = false
        self.readsWhilePacing.removeAll()
        self.idleCheck?.cancel()
        context.fireChannelInactive()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.lastActive = .now()
        if case .end = self.unwrapOutboundIn(data) { self.passedOn -= 1 }
        context.write(data, promise: promise)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Behind this handler, a quiesce closes a connection that looks idle: it waits until the
        // answers sent from here are out.
        if event is ChannelShouldQuiesceEvent {
            self.quiescing = true
            if self.sending > 0 || self.held != nil {
                self.quiesce = event
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The cached answer, for a request the fast path may take.
    private func answer(_ request: HTTPRequest) -> CachedStaticAnswer? {
        guard self.configuration.answers, request.method == .get || request.method == .head, let path = request.path else { return nil }
        if request.headerFields[.contentLength].map({ $0 != "0" }) == true { return nil }
        if self.configuration.isRouted(path.withoutQuery) { return nil }
        guard let answer = self.configuration.server.cachedAnswer(to: request) else { return nil }
        if case .file = answer.body.content, self.regionWriter == nil { return nil }
        return answer
    }

    private func send(_ held: Held, context: ChannelHandlerContext) {
        let answer = held.answer.answer
        var head = HTTPResponse(status: answer.status, headerFields: answer.headers)
        let requestID = RequestIDGenerator.id(keeping: held.request.headerFields[.requestID])
        // In the order the middleware stack and Hummingbird add them; none is in a decided
        // answer: appended, not looked up.
        head.headerFields.append(HTTPField(name: .processTime, value: ProcessTime.seconds(.now - held.start)))
        head.headerFields.append(HTTPField(name: .requestID, value: requestID))
        head.headerFields.append(self.dates.field())
        if let server = self.configuration.serverField { head.headerFields.append(server) }
        self.configuration.answered.increment()
        let route = held.answer.endpointPath
        if let last = self.lastMetrics, last.route == route, last.method == held.request.method, last.status == answer.status.code {
            last.metrics.record(.now - held.start)
        } else {
            let metrics = self.configuration.metrics.metrics(route: route, method: held.request.method.rawValue, status: answer.status.code)
            metrics.record(.now - held.start)
            self.lastMetrics = (route, held.request.method, answer.status.code, metrics)
        }
        self.sending += 1
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        // The handle lends the open file's descriptor to the regions; the open file stays with
        // the answer until it is out.
        var openFile: OpenFile?
        var handle: NIOFileHandle?
        var parts: [Part] = []
        if answer.sendsBody {
            if case .file(let file) = held.answer.body.content {
                openFile = file
                handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: file.descriptor)
            }
            for segment in answer.segments {
                switch (segment, held.answer.body.content) {
                case (.bytes(let bytes), _):
                    parts.append(.bytes(bytes))
                case (.file(let offset, let length), .memory(let bytes)):
                    parts.append(.bytes(bytes.getSlice(at: bytes.readerIndex + Int(offset), length: Int(length))!))
                case (.file(let offset, let length), .file):
                    for start in stride(from: offset, to: offset + length, by: Int64.Stride(Self.regionChunk)) {
                        parts.append(.region(start, min(offset + length, start + Self.regionChunk)))
                    }
                }
            }
        }
        let bodyBytes = answer.sendsBody ? answer.segments.reduce(0) { $0 + $1.length } : 0
        let accessLog = self.configuration.accessLog
        accessLog.counters.sent.increment(by: bodyBytes)
        var exchange: AccessLog.Exchange?
        if accessLog.logsRequests {
            exchange = AccessLog.Exchange(method: held.request.method.rawValue, target: held.request.path ?? "", start: held.start)
            exchange?.answered(status: answer.status.code, requestID: requestID, bytesOut: Int(bodyBytes))
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        var finished = false
        var watchdog: RepeatedTask?
        written.futureResult.assumeIsolated().whenComplete { result in
            if let exchange { accessLog.write(exchange, complete: (try? result.get()) != nil) }
            finished = true
            watchdog?.cancel()
            _ = try? handle?.takeDescriptorOwnership()
            withExtendedLifetime(openFile) {}
            self.sending -= 1
            self.lastActive = .now()
            if self.sending == 0, let quiesce = self.quiesce {
                self.quiesce = nil
                context.fireUserInboundEventTriggered(quiesce)
            }
        }
        self.pump(Outgoing(parts: parts, handle: handle, written: written), context: context)
        // A small answer is out by now (the callback above has run); one still going out (a
        // region the socket has not taken yet, or the later regions of a large file) is watched.
        if !finished, let openFile {
            watchdog = Self.watch(openFile, needing: answer.segments, context: context)
        }
    }

    /// Writes the parts of `outgoing` up to its next file region, then the rest in later turns
    /// of the event loop, once each region is out, and the answer's end after the last.
    private func pump(_ outgoing: Outgoing, context: ChannelHandlerContext) {
        while outgoing.next < outgoing.parts.count {
            let part = outgoing.parts[outgoing.next]
            outgoing.next += 1
            switch part {
            case .bytes(let bytes):
                context.write(self.wrapOutboundOut(.body(bytes)), promise: nil)
            case .region(let start, let end):
                // Gone with the connection's handlers.
                guard let writer = self.regionWriter else {
                    outgoing.written.fail(ChannelError.ioOnClosedChannel)
                    return
                }
                let region = FileRegion(fileHandle: outgoing.handle!, readerIndex: Int(start), endIndex: Int(end))
                if outgoing.next == outgoing.parts.count {
                    writer.write(region, promise: nil)
                    continue
                }
                let sent = context.eventLoop.makePromise(of: Void.self)
                writer.write(region, promise: sent)
                self.pacing = true
                context.flush()
                sent.futureResult.assumeIsolated().whenComplete { result in
                    switch result {
                    case .success:
                        // A task run at once would run in the same turn (NIO runs tasks until none
                        // is due): one due a little later lets the loop serve what is ready first.
                        context.eventLoop.assumeIsolated().scheduleTask(in: Self.turn) { self.pump(outgoing, context: context) }
                    case .failure(let error):
                        outgoing.written.fail(error)
                    }
                }
                return
            }
        }
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: outgoing.written)
        if self.pacing { self.endPacing(context: context) }
    }

    /// Takes what was read while an answer was paced, as it would have been taken then.
    private func endPacing(context: ChannelHandlerContext) {
        self.pacing = false
        while !self.pacing, let data = self.readsWhilePacing.popFirst() {
            self.channelRead(context: context, data: data)
        }
        guard !self.pacing else { return }
        if self.readCompleteWhilePacing {
            self.readCompleteWhilePacing = false
            context.fireChannelReadComplete()
        }
        if self.readAskedWhilePacing {
            self.readAskedWhilePacing = false
            context.read()
        }
    }

    /// sendfile(2) sends nothing once a file has been cut shorter than its region, and the write
    /// would be retried for ever: once a second the file's size is checked, and the connection
    /// closed when it no longer holds the bytes promised (the client sees a short body).
    private static func watch(_ file: OpenFile, needing segments: [FileAnswer.Segment], context: ChannelHandlerContext) -> RepeatedTask {
        let end = segments.reduce(Int64(0)) { end, segment in
            if case .file(let offset, let length) = segment { return max(end, offset + length) }
            return end
        }
        let channel = context.channel
        return context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            var status = stat()
            if fstat(file.descriptor, &status) != 0 || Int64(status.st_size) < end { channel.close(promise: nil) }
        }
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        guard let timeout = self.configuration.idleTimeout else { return }
        self.idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: self.lastActive + timeout) {
            let busy = self.passedOn > 0 || self.held != nil || self.sending > 0
            if !busy && NIODeadline.now() - self.lastActive >= timeout {
                context.close(promise: nil)
            } else {
                self.scheduleIdleCheck(context: context)
            }
        }
    }
}

/// The `Date` field, made once a second.
private struct DateHeader {
    private var second: Int = -1
    private var current = HTTPField(name: .date, value: "")

    mutating func field() -> HTTPField {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        if now.tv_sec != self.second {
            self.second = now.tv_sec
            self.current = HTTPField(name: .date, value: HTTPDate.format(Int64(now.tv_sec)))
        }
        return self.current
    }
}
