import HTTPTypes
public import Hummingbird
import TextBytes

/// Adds `X-Process-Time`: seconds from the request reaching the routes to the response head,
/// as in Starlette's middleware example.
public struct ProcessTimeMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        response.headers.setUnrepeated(.processTime, to: ProcessTime.seconds(ContinuousClock.now - start))
        return response
    }
}

/// The value of `X-Process-Time`, for every carrier of answers.
public enum ProcessTime {
    /// Seconds with six decimals (`0.000417`), without Foundation's formatting on the hot path.
    public static func seconds(_ elapsed: Duration) -> String {
        let micros = elapsed.microseconds
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }
}
