public import Hummingbird
public import NIOCore

/// A request context that knows its connection (an HTTP/2 stream's own channel).
public protocol ChannelRequestContext: RequestContext {
    /// The channel the request came on.
    var channel: any Channel { get }
}

/// Asks a connection's `RequestBodyFlowHandler` for the `100 Continue` its client waits for.
public struct ContinueRequest: Sendable {
    /// The request.
    public init() {}
}

/// Sends `100 Continue` to a client that waits for it (`Expect: 100-continue`) when the route
/// first reads the request body, not before: whatever refuses the request first (authentication,
/// a missing route, a full quota) answers before the client has sent any of its body.
public struct ContinueMiddleware<Context: ChannelRequestContext>: RouterMiddleware {
    /// The middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let expect = request.headers[.expect], expect.lowercased() == "100-continue" else {
            return try await next(request, context)
        }
        var request = request
        request.body = RequestBody(asyncSequence: ContinuingBody(base: request.body, channel: context.channel))
        return try await next(request, context)
    }
}

/// A request body that asks for the `100 Continue` as it is first read.
private struct ContinuingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let channel: any Channel

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        /// The channel to ask, until the first read has asked.
        var channel: (any Channel)?

        mutating func next() async throws -> ByteBuffer? {
            if let channel = self.channel {
                self.channel = nil
                channel.triggerUserOutboundEvent(ContinueRequest(), promise: nil)
            }
            return try await self.base.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: self.base.makeAsyncIterator(), channel: self.channel)
    }
}
