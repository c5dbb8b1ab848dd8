import NIOCore
import NIOHTTP1
import Routing

/// Keeps the WebSocket handshakes that would be refused from hummingbird-websocket, which answers
/// every handshake its router refuses with a bare 400: each gets the JSON error it deserves.
///
/// What the head alone tells is judged here, before the upgrade handler sees the request (any
/// `Upgrade` field makes it try). A handshake to a path that speaks no WebSocket, or without
/// credentials, loses its `Upgrade` field and goes on as the plain request it also is: the routes
/// answer it (as nginx ignores an Upgrade it does not serve), `/api/ws` with its 401. One that a
/// page of another site sends with the session cookie alone is refused here with the 403 the
/// routes give such requests, and the connection closes. A handshake with credentials is judged
/// by the WebSocket router, which tells the gate its verdict (`HandshakeVerdictMiddleware`): an
/// upgrade lets the gate leave before the connection becomes a WebSocket; a refusal (credentials
/// that fail to verify, a bad cursor) is written here in place of the bare 400. The upgrade
/// handler looks at a connection's first request only, so the gate leaves after it.
///
/// NIO's upgrade handler drops a request whose upgrade it cannot make before asking the router
/// (another protocol, no `Sec-WebSocket-Key`, another version) and the connection then waits for
/// ever: such a handshake never reaches it. One that names another protocol, has a body or
/// another method goes on as a plain request; one without a single key and version is refused
/// here with 400, one of another version with 426 naming version 13 (RFC 6455 §4.2.2).
final class WebSocketHandshakeGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The paths the WebSocket router serves (its router takes a trailing slash too).
    static let webSocketPaths: Set<Substring> = [Substring(EventsController.webSocketPath), Substring(EventsController.webSocketPath + "/")]

    enum Verdict: Equatable {
        /// Not a handshake.
        case passOn
        /// A handshake with credentials, for the WebSocket router to judge.
        case routerJudges
        /// Answered by the routes as a plain request.
        case plainRequest
        /// Refused here (403).
        case crossSite
        /// A WebSocket handshake without a single `Sec-WebSocket-Key` and version: refused here (400).
        case malformedHandshake
        /// A WebSocket handshake of a version other than 13: refused here (426).
        case unsupportedVersion
    }

    /// The version of the WebSocket protocol the upgrade speaks.
    static let webSocketVersion = "13"

    /// The answer of the WebSocket router to a handshake it refused.
    struct Refusal: Sendable {
        let head: HTTPResponseHead
        let body: ByteBuffer
    }

    /// Refused: what is left of the request is dropped until the connection closes.
    private var refused = false
    /// Written instead of hummingbird-websocket's bare 400.
    private var routerRefusal: Refusal?
    /// Where a handshake's line goes: the routes' access log never sees one.
    private let accessLog: AccessLog
    /// Where a handshake is counted, as the routes count theirs (its route `/api/ws`).
    private let metrics: RouteMetricsRecorder
    /// The handshake being judged, for its metrics and access-log line.
    private var handshake: AccessLog.Exchange?

    private init(accessLog: AccessLog, metrics: RouteMetricsRecorder) {
        self.accessLog = accessLog
        self.metrics = metrics
    }

    /// Puts a gate right above the HTTP/1 decoder of `pipeline` (where the upgrade handler has
    /// yet to see the first request).
    static func install(in pipeline: ChannelPipeline.SynchronousOperations, accessLog: AccessLog, metrics: RouteMetricsRecorder) throws {
        let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try pipeline.addHandler(WebSocketHandshakeGate(accessLog: accessLog, metrics: metrics), position: .after(decoder))
    }

    /// Counts the handshake being judged, answered with `status`; it, for its access-log line
    /// (`nil` when there is none to write).
    private func answered(status: UInt) -> AccessLog.Exchange? {
        guard let handshake = self.handshake.take() else { return nil }
        self.metrics.record(route: EventsController.webSocketPath, method: "GET", status: Int(status), duration: .now - handshake.start)
        return self.accessLog.logsRequests ? handshake : nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.refused else { return }
        guard case .head(var head) = self.unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let verdict = Self.verdict(head)
        if verdict != .passOn, verdict != .plainRequest {
            self.handshake = AccessLog.Exchange(client: context.channel.remoteAddress, method: head.method.rawValue, target: head.uri, start: .now)
        }
        switch verdict {
        case .passOn:
            context.fireChannelRead(data)
        case .routerJudges:
            // The gate stays until the router's verdict.
            context.fireChannelRead(data)
            return
        case .plainRequest:
            head.headers.remove(name: "Upgrade")
            let kept = head.headers[canonicalForm: "connection"].filter { $0.lowercased() != "upgrade" }.joined(separator: ", ")
            head.headers.remove(name: "Connection")
            if !kept.isEmpty { head.headers.add(name: "Connection", value: kept) }
            context.fireChannelRead(self.wrapInboundOut(.head(head)))
        case .crossSite:
            self.refused = true
            MalformedRequestHandler.refuse(
                status: .forbidden,
                detail: CrossSiteCheck.refusal,
                context: context,
                endingInput: true,
                written: self.logRefusal(status: .forbidden)
            )
            return
        case .malformedHandshake:
            self.refused = true
            let detail = "A WebSocket handshake sends one Sec-WebSocket-Key and one Sec-WebSocket-Version."
            MalformedRequestHandler.refuse(
                status: .badRequest,
                detail: detail,
                context: context,
                endingInput: true,
                written: self.logRefusal(status: .badRequest)
            )
            return
        case .unsupportedVersion:
            self.refused = true
            MalformedRequestHandler.refuse(
                status: .upgradeRequired,
                detail: "This server speaks WebSocket version \(Self.webSocketVersion): send Sec-WebSocket-Version: \(Self.webSocketVersion).",
                headers: ["Sec-WebSocket-Version": Self.webSocketVersion],
                context: context,
                endingInput: true,
                written: self.logRefusal(status: .upgradeRequired)
            )
            return
        }
        // Removed once the head is passed on: a removed handler's context leads nowhere.
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
    }

    /// What becomes of a request with this head.
    static func verdict(_ head: HTTPRequestHead) -> Verdict {
        guard head.headers.contains(name: "Upgrade") else { return .passOn }
        guard Self.webSocketPaths.contains(head.uri.withoutQuery) else { return .plainRequest }
        if head.headers.contains(name: "Authorization") { return Self.upgradeVerdict(head) }
        let cookies = head.headers[canonicalForm: "cookie"].flatMap { $0.split(separator: ";") }
        guard cookies.contains(where: { $0.drop { $0 == " " }.hasPrefix(AccountsController.sessionCookie + "=") }) else { return .plainRequest }
        let isCrossSite = CrossSiteCheck.isCrossSite(
            fetchSite: head.headers.first(name: "Sec-Fetch-Site"),
            source: head.headers.first(name: "Origin") ?? head.headers.first(name: "Referer"),
            host: head.headers.first(name: "Host")
        )
        return isCrossSite ? .crossSite : Self.upgradeVerdict(head)
    }

    /// What becomes of a handshake with credentials: the upgrade handler takes a GET without a
    /// body that names `websocket` in `Upgrade`, with one `Sec-WebSocket-Key` and one
    /// `Sec-WebSocket-Version` of 13, and lets the router judge it.
    static func upgradeVerdict(_ head: HTTPRequestHead) -> Verdict {
        let length = head.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0
        let hasBody = length > 0 || head.headers.contains(name: "Transfer-Encoding")
        let namesWebSocket = head.headers[canonicalForm: "upgrade"].contains { $0.lowercased() == "websocket" }
        guard namesWebSocket, head.method == .GET, !hasBody else { return .plainRequest }
        let versions = head.headers[canonicalForm: "sec-websocket-version"]
        guard head.headers[canonicalForm: "sec-websocket-key"].count == 1, versions.count == 1 else { return .malformedHandshake }
        return versions[0] == Self.webSocketVersion ? .routerJudges : .unsupportedVersion
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let refusal = self.routerRefusal, case .head(let bare) = self.unwrapOutboundIn(data), bare.status == .badRequest else {
            context.write(data, promise: promise)
            return
        }
        self.routerRefusal = nil
        var head = refusal.head
        head.headers.replaceOrAdd(name: "Content-Length", value: String(refusal.body.readableBytes))
        // hummingbird-websocket closes the connection after its answer.
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        guard let handshake = self.answered(status: head.status.code) else {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(refusal.body))), promise: promise)
            return
        }
        let line = self.accessLog.lineWhenWritten(
            handshake,
            status: Int(head.status.code),
            requestID: head.headers.first(name: "X-Request-ID") ?? "-"
        )
        let (written, bodyBytes) = (context.eventLoop.makePromise(of: Void.self), refusal.body.readableBytes)
        written.futureResult.cascade(to: promise)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(refusal.body))), promise: written)
        written.futureResult.assumeIsolated().whenComplete { result in line((try? result.get()) != nil, bodyBytes) }
    }

    /// Counts the handshake refused here with `status`; what writes its access-log line once its
    /// answer is written.
    private func logRefusal(status: HTTPResponseStatus) -> ((Bool, Int) -> Void)? {
        self.answered(status: status.code).map { self.accessLog.lineWhenWritten($0, status: Int(status.code)) }
    }

    /// The WebSocket router upgrades the handshake on `channel` (its answer has `requestID`): the
    /// gate leaves before the pipeline becomes a WebSocket's, and what will guard its frames, and
    /// write the session's access-log line when it ends, waits for it.
    static func upgrading(on channel: any Channel, requestID: String) async {
        try? await channel.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            guard let gate = try? pipeline.handler(type: WebSocketHandshakeGate.self) else { return }
            pipeline.removeHandler(gate, promise: nil)
            var session = gate.answered(status: 101)
            session?.answered(status: 101, requestID: requestID, bytesOut: 0)
            try? pipeline.addHandler(UnmaskedFrameGuard.Installer(line: SessionLine(session, log: gate.accessLog)))
        }.get()
    }

    /// The WebSocket router refused the handshake on `channel` with `refusal`: it is written in
    /// place of the bare 400 that follows.
    static func refused(on channel: any Channel, with refusal: Refusal) async {
        try? await channel.eventLoop.submit {
            (try? channel.pipeline.syncOperations.handler(type: WebSocketHandshakeGate.self))?.routerRefusal = refusal
        }.get()
    }
}
