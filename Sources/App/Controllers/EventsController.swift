import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Routing
import Storage
import TextBytes

/// Live events of the signed-in user's files (an admin's: every file): `GET /api/events` as
/// Server-Sent Events, `GET /api/ws` as a WebSocket, the same JSON on both; either ends once
/// the sign-in it was opened with has (a sign-out, a password change, the token's expiry).
struct EventsController: Sendable {
    let feed: EventFeed
    /// What ends a stream whose sign-in ended while it was open.
    let credentials: CredentialCheck

    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    /// Where the WebSocket router serves the events.
    static let webSocketPath = "/api/ws"

    func register(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/api", table: table)
            .get("events", self.serverSentEvents)
            .get("ws", self.notUpgraded)
    }

    /// The WebSocket upgrade's configuration: text messages are checked to be UTF-8 (RFC 6455
    /// §8.1); a client's message may be as large as a frame (it is read and dropped).
    static let webSocketConfiguration = WebSocketServerConfiguration(validateUTF8: true)

    /// The WebSocket route, on the router that decides upgrades (behind the same authentication).
    /// Where it starts is fixed before the handshake's answer: whatever a client does once it is
    /// connected reaches it.
    func registerWebSocket(on router: some RouterMethods<AppRequestContext>) {
        router.add(middleware: EventCursorMiddleware(controller: self)).ws(RouterPath(Self.webSocketPath)) { _, context in
            _ = try context.principal
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let principal = try context.requestContext.principal
            guard let cursor = context.requestContext.eventCursor, let credentials = context.requestContext.credentials else { return }
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Reading what the client sends answers its pings and its close; its close ends the
                // feed. Read as messages, which are otherwise ignored, so that a text message that
                // is not UTF-8 fails the connection (1007), as RFC 6455 §8.1 asks.
                group.addTask { for try await _ in inbound.messages(maxSize: Self.webSocketConfiguration.maxFrameSize) {} }
                group.addTask {
                    let signedOut = try await self.feed.follow(principal, after: cursor, while: { await self.credentials.holds(credentials) }) {
                        frame in
                        switch frame {
                        case .event(_, _, let json): try await outbound.write(.text(json))
                        // An unsolicited pong: a frame the client need not answer, but that keeps
                        // proxies from closing an idle connection.
                        case .heartbeat: try await outbound.write(.pong)
                        }
                    }
                    // 1008: the connection's sign-in ended (RFC 6455 §7.4.1, a policy violation).
                    if signedOut { try await outbound.close(.policyViolation, reason: "The sign-in has ended.") }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// `GET /api/events`: `text/event-stream`, one event per change with its id and type; with
    /// `Last-Event-ID` (or `?last_event_id=`, for a first connection that cannot set headers) what
    /// came after that event first, from the backlog; `: heartbeat` every 15 s of silence.
    @Sendable func serverSentEvents(_ request: Request, context: AppRequestContext) async throws -> Response {
        let cursor = try await self.cursor(of: request)
        let principal = try context.principal
        guard let credentials = context.credentials else { throw AuthenticationMiddleware.unauthenticated }
        let feed = self.feed
        let check = self.credentials
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: ResponseBody { writer in
                // Tells the browser's EventSource how soon to reconnect, and sends the head at once.
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                // Ends when the client leaves (a write fails), the server shuts down or the sign-in
                // ends (a browser's EventSource then reconnects, and is refused).
                _ = try? await feed.follow(principal, after: cursor, while: { await check.holds(credentials) }) { frame in
                    switch frame {
                    case .event(let id, let type, let json):
                        try await writer.write(ByteBuffer(string: "id: \(id)\nevent: \(type)\ndata: \(json)\n\n"))
                    case .heartbeat: try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    }
                }
                try await writer.finish(nil)
            }
        )
    }

    /// Where a stream starts: after `Last-Event-ID` (or `?last_event_id=`), else after the newest event.
    func cursor(of request: Request) async throws -> Int64 {
        var query = QueryParameters(request)
        let fromQuery = query.optionalInteger("last_event_id", in: 0...Int.max)
        try query.validate()
        if let given = request.headers[Self.lastEventID].flatMap({ Int64($0.trimmingHTTPWhitespace()) }) ?? fromQuery.map(Int64.init) {
            return given
        }
        return try await self.feed.start()
    }

    /// `GET /api/ws` without an upgrade: 426, naming what to send.
    @Sendable func notUpgraded(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.principal
        throw HTTPException(.upgradeRequired, "This endpoint speaks WebSocket: send an Upgrade: websocket request.", headers: [.upgrade: "websocket"])
    }
}

/// Fixes where a WebSocket's events start while its handshake is answered.
struct EventCursorMiddleware: RouterMiddleware {
    let controller: EventsController

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response
    {
        var context = context
        context.eventCursor = try await self.controller.cursor(of: request)
        return try await next(request, context)
    }
}
