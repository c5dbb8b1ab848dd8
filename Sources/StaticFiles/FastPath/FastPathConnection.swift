import FileResponses
import Glibc
import HTTPTypes
import Metrics
import NIOCore
import Routing

/// What the fast path keeps of a request it took, whichever HTTP types it was read in.
struct FastPathRequest {
    let method: HTTPRequest.Method
    /// The request target, for the access log.
    let target: String
    /// The `X-Request-ID` the client sent.
    let requestID: String?
}

/// The fields the fast path adds to every answer, as the middleware stack and Hummingbird add
/// them, in this order.
struct AddedFields {
    let processTime: String
    let requestID: String
    let date: String
}

/// A carrier of the fast path: writes a decided answer in the HTTP types of its place in the
/// pipeline, and reads again what was held back while an answer was paced.
protocol FastPathWire: ChannelInboundHandler {
    func writeHead(of answer: CachedStaticAnswer, adding fields: AddedFields, context: ChannelHandlerContext)
    func writeBody(_ bytes: ByteBuffer, promise: EventLoopPromise<Void>?, context: ChannelHandlerContext)
    /// Writes `region` of the answer's open file as a body part (sendfile).
    func writeRegion(_ region: FileRegion, promise: EventLoopPromise<Void>?, context: ChannelHandlerContext)
    /// Writes the answer's end, not flushed.
    func writeEnd(promise: EventLoopPromise<Void>?, context: ChannelHandlerContext)
    /// Flushes a whole answer, at once or with others, then runs `then`.
    func flushAnswer(context: ChannelHandlerContext, then: @escaping () -> Void)
}

/// The static fast path of one connection (or one HTTP/2 stream), apart from the HTTP types its
/// carrier reads and writes: which requests it may take, the order of answers, pacing of file
/// regions, the idle timeout, quiescing, metrics and the access log.
///
/// Order on the connection is kept: a request is taken only while no request passed on is still
/// unanswered, so an answer written here never overtakes one still being made. File bodies go
/// out by sendfile, at most `regionChunk` bytes per turn of the event loop, with the connection's
/// reads held meanwhile; cached ones as buffers.
final class FastPathConnection {
    private struct Held {
        let request: FastPathRequest
        let answer: CachedStaticAnswer
        let start: ContinuousClock.Instant
    }

    /// The most a file region sends in one turn of the event loop, as nginx's
    /// `sendfile_max_chunk`: on a fast connection (loopback, a LAN) one sendfile(2) call sent a
    /// whole large file while every other connection of the loop waited.
    static let regionChunk: Int64 = 2 << 20
    /// How long after a region the next is sent: long enough that the loop turns first.
    static let turn = TimeAmount.microseconds(20)

    /// An answer being sent: where its body has got to, what its regions are read from, and what
    /// is done once its last byte is out. One object per answer, so that sending a small one costs
    /// few allocations.
    private final class Outgoing {
        let answer: CachedStaticAnswer
        /// The segment to send next (the count of segments once the body is out or has none).
        var segment: Int
        /// How much of the next segment, a file segment sent a region at a time, has gone.
        var segmentSent: Int64 = 0
        /// The open file stays with the answer until it is out; the handle lends its descriptor to
        /// the regions.
        let openFile: OpenFile?
        let handle: NIOFileHandle?
        let written: EventLoopPromise<Void>
        var exchange: AccessLog.Exchange?
        var watchdog: RepeatedTask?
        var finished = false

        init(answer: CachedStaticAnswer, written: EventLoopPromise<Void>) {
            self.answer = answer
            self.segment = answer.sendsBody ? 0 : answer.segments.count
            if answer.sendsBody, case .file(let file) = answer.body.content {
                self.openFile = file
                self.handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: file.descriptor)
            } else {
                self.openFile = nil
                self.handle = nil
            }
            self.written = written
        }
    }

    let configuration: StaticFastPathConfiguration
    /// File bodies may go as regions (set by a carrier on a plain HTTP/1 connection).
    var sendsRegions = false
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
    /// An answer sent from here is still being written a region at a time: nothing else may be
    /// written before its end, so what is read meanwhile waits here, and reading stops.
    private var pacing = false
    private var readsWhilePacing = CircularBuffer<NIOAny>()
    private var readCompleteWhilePacing = false
    /// A read went on since the last read's end: only then does that end go on, so the handlers
    /// behind (Hummingbird's async channel among them) are not called for reads taken here.
    private var passedReads = false
    private var readAskedWhilePacing = false
    private var dates = DateHeader()
    /// The metrics of the last answer's route, method and status: a connection mostly asks alike.
    private var lastMetrics: (route: String, method: HTTPRequest.Method, status: Int, metrics: RouteMetrics)?
    private var lastActive = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    /// The carrier left the pipeline (its connection closed): no idle check runs any more.
    private var isRemoved = false

    init(configuration: StaticFastPathConfiguration) {
        self.configuration = configuration
    }

    /// A request may be taken here now.
    var takesRequests: Bool {
        self.configuration.answers && self.passedOn == 0 && !self.quiescing
    }

    /// Whether `data`, just read, is to be looked at now; while an answer is paced it waits.
    func admits(_ data: NIOAny) -> Bool {
        if self.pacing {
            self.readsWhilePacing.append(data)
            return false
        }
        self.lastActive = .now()
        return true
    }

    /// Takes `request`, to be answered with `answer` once its end has been read.
    func hold(_ request: FastPathRequest, answer: CachedStaticAnswer) {
        self.held = Held(request: request, answer: answer, start: .now)
        self.passing = false
    }

    /// A read goes on to the handlers behind the carrier.
    func passingRead() {
        self.passedReads = true
    }

    /// The request whose head was just read goes on.
    func passOn() {
        self.passedOn += 1
        self.passing = true
    }

    /// Whether a body part of `count` bytes is dropped here: one of a request taken here (a GET
    /// that carries a body anyway, which the static answer ignores, as the router's would).
    func drops(bodyOf count: Int) -> Bool {
        guard !self.passing else { return false }
        self.configuration.accessLog.counters.received.increment(by: Int64(count))
        return true
    }

    /// The end of a request was read: whether it ends here (a request taken here, whose answer
    /// is now written through `wire`) rather than going on.
    func ends(wire: some FastPathWire, context: ChannelHandlerContext) -> Bool {
        if let held = self.held {
            self.held = nil
            self.send(held, wire: wire, context: context)
            return true
        }
        if !self.passing { return true }
        self.passing = false
        return false
    }

    /// An answer to a request passed on is written: its end makes room for taking requests.
    func answering(endsAnswer: Bool) {
        self.lastActive = .now()
        if endsAnswer { self.passedOn -= 1 }
    }

    /// Whether a read's end goes on now: not while an answer is paced, and not when every read
    /// since the last end was taken here.
    func passesReadComplete() -> Bool {
        if self.pacing {
            self.readCompleteWhilePacing = true
            return false
        }
        defer { self.passedReads = false }
        return self.passedReads
    }

    /// Whether a request to read goes on now (not while an answer is paced).
    func passesRead() -> Bool {
        if self.pacing { self.readAskedWhilePacing = true }
        return !self.pacing
    }

    func inactive() {
        self.held = nil
        self.pacing = false
        self.readsWhilePacing.removeAll()
        self.idleCheck?.cancel()
    }

    /// Whether `event` goes on now. Behind the carrier, a quiesce closes a connection that looks
    /// idle: it waits until the answers sent from here are out.
    func passes(event: Any) -> Bool {
        guard event is ChannelShouldQuiesceEvent else { return true }
        self.quiescing = true
        guard self.sending > 0 || self.held != nil else { return true }
        self.quiesce = event
        return false
    }

    func added(context: ChannelHandlerContext) {
        guard let timeout = self.configuration.idleTimeout else { return }
        self.scheduleIdleCheck(at: self.lastActive + timeout, context: context)
    }

    func removed() {
        self.isRemoved = true
        self.idleCheck?.cancel()
    }

    private func send(_ held: Held, wire: some FastPathWire, context: ChannelHandlerContext) {
        let answer = held.answer
        let requestID = RequestIDGenerator.id(keeping: held.request.requestID)
        let added = AddedFields(processTime: ProcessTime.seconds(.now - held.start), requestID: requestID, date: self.dates.value())
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
        wire.writeHead(of: held.answer, adding: added, context: context)
        let outgoing = Outgoing(answer: held.answer, written: context.eventLoop.makePromise(of: Void.self))
        let bodyBytes = answer.sendsBody ? answer.segments.reduce(0) { $0 + $1.length } : 0
        let accessLog = self.configuration.accessLog
        accessLog.counters.sent.increment(by: bodyBytes)
        if accessLog.logsRequests {
            outgoing.exchange = AccessLog.Exchange(
                client: context.channel.remoteAddress,
                method: held.request.method.rawValue,
                target: held.request.target,
                start: held.start
            )
            outgoing.exchange?.answered(status: answer.status.code, requestID: requestID, bytesOut: Int(bodyBytes))
        }
        outgoing.written.futureResult.assumeIsolated().whenComplete { result in
            self.sent(outgoing, complete: (try? result.get()) != nil, context: context)
        }
        self.pump(outgoing, wire: wire, context: context)
    }

    /// Watches a file answer that is not out yet: a region the socket has not taken, or the later
    /// regions of a large file. A small answer is out once flushed (`sent` has run).
    private func watchUnlessOut(_ outgoing: Outgoing, context: ChannelHandlerContext) {
        guard !outgoing.finished, outgoing.watchdog == nil, let openFile = outgoing.openFile else { return }
        outgoing.watchdog = Self.watch(openFile, needing: outgoing.answer.segments, context: context)
    }

    /// The last byte of `outgoing` is out (`complete`), or it failed.
    private func sent(_ outgoing: Outgoing, complete: Bool, context: ChannelHandlerContext) {
        if let exchange = outgoing.exchange { self.configuration.accessLog.write(exchange, complete: complete) }
        outgoing.finished = true
        outgoing.watchdog?.cancel()
        _ = try? outgoing.handle?.takeDescriptorOwnership()
        self.sending -= 1
        self.lastActive = .now()
        if self.sending == 0, let quiesce = self.quiesce {
            self.quiesce = nil
            context.fireUserInboundEventTriggered(quiesce)
        }
    }

    /// Writes the body of `outgoing` up to its next file region, then the rest in later turns of
    /// the event loop, once each region is out, and the answer's end after the last. The last body
    /// part carries the promise of the whole answer, the end only when there is none: an end with
    /// a promise costs the HTTP/1 encoder an empty write of its own.
    private func pump(_ outgoing: Outgoing, wire: some FastPathWire, context: ChannelHandlerContext) {
        let segments = outgoing.answer.segments
        var lastPartCarriesPromise = false
        while outgoing.segment < segments.count {
            switch (segments[outgoing.segment], outgoing.answer.body.content) {
            case (.bytes(let bytes), _):
                outgoing.segment += 1
                lastPartCarriesPromise = outgoing.segment == segments.count
                wire.writeBody(bytes, promise: lastPartCarriesPromise ? outgoing.written : nil, context: context)
            case (.file(let offset, let length), .memory(let bytes)):
                outgoing.segment += 1
                lastPartCarriesPromise = outgoing.segment == segments.count
                let slice = bytes.getSlice(at: bytes.readerIndex + Int(offset), length: Int(length))!
                wire.writeBody(slice, promise: lastPartCarriesPromise ? outgoing.written : nil, context: context)
            case (.file(let offset, let length), .file):
                let start = offset + outgoing.segmentSent
                let end = min(offset + length, start + Self.regionChunk)
                if end == offset + length {
                    outgoing.segment += 1
                    outgoing.segmentSent = 0
                } else {
                    outgoing.segmentSent = end - offset
                }
                guard end > start else { continue }
                let region = FileRegion(fileHandle: outgoing.handle!, readerIndex: Int(start), endIndex: Int(end))
                if outgoing.segment == segments.count {
                    lastPartCarriesPromise = true
                    wire.writeRegion(region, promise: outgoing.written, context: context)
                    continue
                }
                let regionSent = context.eventLoop.makePromise(of: Void.self)
                wire.writeRegion(region, promise: regionSent, context: context)
                self.pacing = true
                context.flush()
                self.watchUnlessOut(outgoing, context: context)
                regionSent.futureResult.assumeIsolated().whenComplete { result in
                    switch result {
                    case .success:
                        // A task run at once would run in the same turn (NIO runs tasks until none
                        // is due): one due a little later lets the loop serve what is ready first.
                        context.eventLoop.assumeIsolated().scheduleTask(in: Self.turn) { self.pump(outgoing, wire: wire, context: context) }
                    case .failure(let error):
                        outgoing.written.fail(error)
                    }
                }
                return
            }
        }
        wire.writeEnd(promise: lastPartCarriesPromise ? nil : outgoing.written, context: context)
        wire.flushAnswer(context: context) { self.watchUnlessOut(outgoing, context: context) }
        if self.pacing { self.endPacing(wire: wire, context: context) }
    }

    /// Takes what was read while an answer was paced, as it would have been taken then.
    private func endPacing(wire: some FastPathWire, context: ChannelHandlerContext) {
        self.pacing = false
        while !self.pacing, let data = self.readsWhilePacing.popFirst() {
            wire.channelRead(context: context, data: data)
        }
        guard !self.pacing else { return }
        if self.readCompleteWhilePacing {
            self.readCompleteWhilePacing = false
            if self.passesReadComplete() { context.fireChannelReadComplete() }
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

    /// Closes the connection once it has been idle for the timeout, counted from the end of its
    /// last answer (as nginx's `keepalive_timeout`). A connection still busy with an answer is
    /// looked at again a timeout later: its last activity lies behind it, and a check due then
    /// would run in every turn of the event loop for as long as the answer lasts.
    private func scheduleIdleCheck(at deadline: NIODeadline, context: ChannelHandlerContext) {
        guard let timeout = self.configuration.idleTimeout else { return }
        self.idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            // Cancelling does not stop a check the loop had already taken up to run.
            guard !self.isRemoved else { return }
            let now = NIODeadline.now()
            if self.passedOn > 0 || self.held != nil || self.sending > 0 {
                self.scheduleIdleCheck(at: now + timeout, context: context)
            } else if now - self.lastActive >= timeout {
                context.close(promise: nil)
            } else {
                self.scheduleIdleCheck(at: self.lastActive + timeout, context: context)
            }
        }
    }
}

/// The `Date` field's value, made once a second.
private struct DateHeader {
    private var second: Int = -1
    private var current = ""

    mutating func value() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        if now.tv_sec != self.second {
            self.second = now.tv_sec
            self.current = HTTPDate.format(Int64(now.tv_sec))
        }
        return self.current
    }
}
