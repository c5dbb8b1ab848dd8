import FileResponses
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MediaTypes
import Metrics
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Prometheus
import Routing
import StaticFiles

/// The CPU time of one static answer on the event loop, measured in process: HTTP/1 requests for
/// `small.txt` fed as bytes into the channel handlers a Wharf connection has, in an
/// `EmbeddedChannel` (no socket, no kernel, no other thread), beside two floors: NIO's HTTP/1
/// codec and Hummingbird's HTTPTypes codec with one handler that answers the same head and bytes
/// (what any handler of Hummingbird's pipeline pays), and NIO's HTTP/1 codec alone with one such
/// handler (what Wharf's fast path, which answers below the HTTPTypes codec, cannot go under). On
/// a VM whose speed wanders by a fifth, wrk cannot show a change of a few percent in Wharf's own
/// work; this can. A diagnostic for scripts/bench, not a target.
///
/// `FastPathProbe DIRECTORY [ROUNDS]` prints the medians in nanoseconds per request, Wharf's, then
/// the HTTPTypes floor's, then the HTTP/1 floor's, of ROUNDS interleaved rounds (9 unless given)
/// of 100,000 requests each.
@main
enum FastPathProbe {
    static let requestsPerRound = 100_000

    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let rounds = arguments.count > 2 ? Int(arguments[2]) : 9, rounds > 0 else {
            print("usage: FastPathProbe DIRECTORY [ROUNDS]")
            return
        }
        let server = StaticFileServer(
            mounts: [try StaticMount(prefix: "", root: arguments[1], htmlMode: true)],
            cachePolicy: CachePolicy(defaultValue: "no-cache", immutablePaths: []),
            sniffer: try ContentSniffer()
        )
        // The first request goes the normal way, which reads and hashes the file into the caches.
        let router = Router()
        router.add(middleware: StaticFilesMiddleware(server: server))
        try await Application(router: router).test(.router) { client in
            let reply = try await client.execute(uri: "/small.txt", method: .get)
            precondition(reply.status == .ok, "small.txt is not served: \(reply.status)")
        }
        let request = HTTPRequest(method: .get, scheme: nil, authority: "127.0.0.1", path: "/small.txt")
        guard let answer = server.cachedAnswer(to: request), case .memory(let body) = answer.body.content else {
            fatalError("small.txt is not answered from the caches")
        }

        let wharf = try Self.wharfChannel(server)
        // The fields the fast path adds to each answer, with values of their usual lengths.
        var head = HTTPResponse(status: answer.status, headerFields: answer.headers)
        head.headerFields.append(HTTPField(name: .processTime, value: "0.000012"))
        head.headerFields.append(HTTPField(name: .requestID, value: "1a2b3c4d-000000000042"))
        head.headerFields.append(HTTPField(name: .date, value: "Wed, 02 Dec 2026 22:00:00 GMT"))
        head.headerFields.append(HTTPField(name: .server, value: "wharf"))
        let floors = [
            try Self.channel(with: [FixedAnswerHandler(head: head, body: body)], isWharf: false, convertsToHTTPTypes: true),
            try Self.channel(with: [FixedHTTP1AnswerHandler(head: HTTPResponseHead(head), body: body)], isWharf: false, convertsToHTTPTypes: false),
        ]
        var times: [[Int64]] = [[], [], []]
        for _ in 0..<rounds {
            for (index, channel) in ([wharf] + floors).enumerated() { times[index].append(try Self.nanosecondsPerRequest(channel)) }
        }
        print(times.map { String($0.sorted()[rounds / 2]) }.joined(separator: " "))
    }

    /// The handlers of a Wharf connection that a static answer passes, where Wharf adds them
    /// (Hummingbird's own, behind them, see none of its parts).
    static func wharfChannel(_ server: StaticFileServer) throws -> EmbeddedChannel {
        let metrics = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
        var logger = Logger(label: "access")
        logger.logLevel = .warning
        let accessLog = AccessLog(logger: logger, counters: AccessLog.ByteCounters(factory: metrics))
        let fastPath = StaticFastPathConfiguration(
            server: server,
            isRouted: { _ in false },
            metrics: RouteMetricsRecorder(factory: metrics),
            answered: Counter(label: "answered", factory: metrics),
            accessLog: accessLog,
            serverName: "wharf",
            idleTimeout: .seconds(75)
        )
        return try Self.channel(
            with: [
                RequestBodyFlowHandler(maxBodySize: 1 << 30, accessLog: accessLog),
                AccessLogHandler(log: accessLog),
                StaticFastPathHandler.install(configuration: fastPath),
            ],
            isWharf: true
        )
    }

    /// NIO's HTTP/1 codec, the malformed-request handler that Wharf's connections have from their
    /// start if `isWharf`, Hummingbird's HTTPTypes codec if `convertsToHTTPTypes`, then `handlers`.
    static func channel(with handlers: [any ChannelHandler], isWharf: Bool, convertsToHTTPTypes: Bool = true) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)))
        try pipeline.addHandler(HTTPResponseEncoder())
        if isWharf { try MalformedRequestHandler.install(in: pipeline, accessLog: nil) }
        if convertsToHTTPTypes { try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false)) }
        try pipeline.addHandlers(handlers)
        return channel
    }

    /// One round of requests as wrk sends them, each answer taken out as the socket would once
    /// the event loop's turn ends (when Wharf's fast path flushes its answers).
    static func nanosecondsPerRequest(_ channel: EmbeddedChannel) throws -> Int64 {
        let request = ByteBuffer(string: "GET /small.txt HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n\r\n")
        let start = Self.threadCPUNanoseconds()
        var answered = 0
        for _ in 0..<Self.requestsPerRound {
            try channel.writeInbound(request)
            channel.embeddedEventLoop.run()
            while let written = try channel.readOutbound(as: IOData.self) { answered += written.readableBytes }
        }
        let elapsed = Self.threadCPUNanoseconds() - start
        precondition(answered > Self.requestsPerRound * 1024, "the answers are missing their bodies")
        return elapsed / Int64(Self.requestsPerRound)
    }

    static func threadCPUNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}

/// Answers every request with the same head and body, as soon as the request has ended.
final class FixedAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    let head: HTTPResponse
    let body: ByteBuffer

    init(head: HTTPResponse, body: ByteBuffer) {
        self.head = head
        self.body = body
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = self.unwrapInboundIn(data) else { return }
        context.write(self.wrapOutboundOut(.head(self.head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(self.body)), promise: nil)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// Answers every request with the same HTTP/1 head and body, as soon as the request has ended.
final class FixedHTTP1AnswerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let head: HTTPResponseHead
    let body: ByteBuffer

    init(head: HTTPResponseHead, body: ByteBuffer) {
        self.head = head
        self.body = body
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = self.unwrapInboundIn(data) else { return }
        context.write(self.wrapOutboundOut(.head(self.head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(self.body))), promise: nil)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
    }
}
