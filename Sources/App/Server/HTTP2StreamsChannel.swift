import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP2
import NIOHTTPTypes
import NIOHTTPTypesHTTP2

/// HTTP/2 whose streams the static fast path answers with no task of their own: a stream becomes
/// an async channel for the responder only once the fast path passes its request on.
/// Hummingbird's `HTTP2Channel` wraps every stream in an `NIOAsyncChannel` and runs a task for
/// it before its request is read: without them, static answers over HTTP/2 come half again as
/// fast (docs/benchmarks.md).
/// The connection's lifetime (its idle timeout, its GOAWAYs on shutdown) is NIO's own manager's;
/// `GoAwayDeadline` bounds the time after the first GOAWAY.
struct HTTP2StreamsChannel: ServerChildChannel {
    typealias Stream = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    struct Value: ServerChildChannelValue {
        /// The streams passed on to the responder, finished when the connection closes.
        let streams: AsyncStream<Stream>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    /// The handlers of every stream, right after its codec: the fast path's.
    let streamHandlers: @Sendable () -> [any ChannelHandler]
    /// The handlers of a stream the fast path passed on, before its async channel.
    let passedOnHandlers: @Sendable () -> [any ChannelHandler]
    /// How long a connection without open streams stays open.
    let idleTimeout: Duration

    /// How much a client may send on a stream before the server has taken it. HTTP/2's default of
    /// 64 KiB held an upload to 64 KiB a round trip (16 MiB took 9 s over a 20 ms round trip,
    /// 0.15 s over HTTP/1.1); 1 MiB, as Go's server (Caddy's) grants, is 50 MB/s at 20 ms. A
    /// stream whose body is not read holds at most this much.
    static let streamWindow = 1 << 20
    /// The connection's window, wide enough for sixteen streams' windows at once. NIO gives it
    /// back as frames arrive, so it bounds no memory: the streams' windows do.
    static let connectionWindow = 16 << 20

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let (streams, continuation) = AsyncStream.makeStream(of: Stream.self)
            channel.closeFuture.whenComplete { _ in continuation.finish() }
            let manager = NIOHTTP2ServerConnectionManagementHandler(
                eventLoop: channel.eventLoop,
                configuration: .init(maxIdleTime: TimeAmount(self.idleTimeout), maxAge: nil, maxGraceTime: nil, keepalive: nil)
            )
            var connection = NIOHTTP2Handler.ConnectionConfiguration()
            connection.initialSettings = nioDefaultSettings + [HTTP2Setting(parameter: .initialWindowSize, value: Self.streamWindow)]
            connection.targetWindowSize = Self.connectionWindow
            var stream = NIOHTTP2Handler.StreamConfiguration()
            stream.targetWindowSize = Self.streamWindow
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(
                NIOHTTP2Handler(
                    mode: .server,
                    eventLoop: channel.eventLoop,
                    connectionConfiguration: connection,
                    streamConfiguration: stream,
                    streamDelegate: manager.http2StreamDelegate,
                    inboundStreamInitializer: { stream in
                        stream.eventLoop.makeCompletedFuture {
                            let streamPipeline = stream.pipeline.syncOperations
                            try streamPipeline.addHandler(HTTP2FramePayloadToHTTPServerCodec())
                            try streamPipeline.addHandlers(self.streamHandlers())
                            try streamPipeline.addHandler(
                                StreamHandOff { stream in
                                    let pipeline = stream.pipeline.syncOperations
                                    try pipeline.addHandlers(self.passedOnHandlers())
                                    try pipeline.addHandler(HTTPConnectionStateHandler(logger: logger))
                                    continuation.yield(try Stream(wrappingChannelSynchronously: stream))
                                }
                            )
                        }
                    }
                )
            )
            try pipeline.addHandler(manager)
            // ALPN chose HTTP/2 on a connection already active: the manager starts its idle timer
            // on channelActive, which it would otherwise never see.
            manager.channelActive(context: try pipeline.context(handler: manager))
            return Value(streams: streams, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await withDiscardingTaskGroup { group in
            for await stream in value.streams {
                group.addTask { await self.respond(on: stream, logger: logger) }
            }
        }
    }

    /// Answers the request of a stream passed on, as Hummingbird's HTTP/2 stream channel does.
    private func respond(on stream: Stream, logger: Logger) async {
        do {
            try await withTaskCancellationHandler {
                try await stream.executeThenClose { inbound, outbound in
                    var parts = inbound.makeAsyncIterator()
                    guard let first = try await parts.next() else { return }
                    guard case .head(let head) = first else { throw UnexpectedRequestPart(part: first) }
                    let request = Request(head: head, body: RequestBody(asyncSequence: StreamRequestBody(parts: parts)))
                    try await self.responder(request, ResponseWriter(outbound: outbound), stream.channel)
                    // The stream ends once NIO has passed on the request's end.
                    while try await parts.next() != nil {}
                }
            } onCancel: {
                stream.channel.close(mode: .input, promise: nil)
            }
        } catch {
            logger.trace("Failed to read or write an HTTP/2 stream", metadata: ["error": "\(error)"])
        }
    }
}
