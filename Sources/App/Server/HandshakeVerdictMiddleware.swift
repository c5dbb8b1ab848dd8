import Compression
import Hummingbird
import NIOHTTP1
import Routing

/// Tells the connection's `WebSocketHandshakeGate` what the WebSocket router decided: an upgrade
/// (200) lets the gate leave; any other answer (the router's JSON error) is what the gate writes
/// in place of hummingbird-websocket's bare 400.
struct HandshakeVerdictMiddleware: RouterMiddleware {
    func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws
        -> Response
    {
        let response = try await next(request, context)
        if response.status == .ok {
            await WebSocketHandshakeGate.upgrading(on: context.channel, requestID: response.headers[.requestID] ?? "-")
            return response
        }
        let collector = BodyCollector(capacity: response.body.contentLength ?? 0)
        try await response.body.write(collector)
        let head = HTTPResponseHead(
            version: .http1_1,
            status: HTTPResponseStatus(statusCode: response.status.code, reasonPhrase: response.status.reasonPhrase),
            headers: HTTPHeaders(response.headers.map { ($0.name.rawName, $0.value) })
        )
        await WebSocketHandshakeGate.refused(on: context.channel, with: .init(head: head, body: collector.content))
        return Response(status: response.status, headers: response.headers, body: .init(byteBuffer: collector.content))
    }
}
