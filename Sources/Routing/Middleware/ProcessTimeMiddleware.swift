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
        let micros = max(0, elapsed.microseconds)
        var whole = micros / 1_000_000
        var fraction = micros % 1_000_000
        var wholeDigits = 1
        var rest = whole / 10
        while rest > 0 {
            wholeDigits += 1
            rest /= 10
        }
        // Written in place: under 16 bytes, the string needs no allocation.
        return String(unsafeUninitializedCapacity: wholeDigits + 7) { text in
            for index in (0..<wholeDigits).reversed() {
                text[index] = UInt8(ascii: "0") + UInt8(whole % 10)
                whole /= 10
            }
            text[wholeDigits] = UInt8(ascii: ".")
            for index in (wholeDigits + 1...wholeDigits + 6).reversed() {
                text[index] = UInt8(ascii: "0") + UInt8(fraction % 10)
                fraction /= 10
            }
            return wholeDigits + 7
        }
    }
}
