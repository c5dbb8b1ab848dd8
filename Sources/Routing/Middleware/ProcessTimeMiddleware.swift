import Foundation
public import HTTPTypes
public import Hummingbird

/// Adds `X-Process-Time`: seconds from the request reaching the routes to the response head,
/// as in Starlette's middleware example.
public struct ProcessTimeMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The header's name.
    public static var header: HTTPField.Name { HTTPField.Name("X-Process-Time")! }

    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        response.headers[Self.header] = String(format: "%.6f", seconds)
        return response
    }
}
