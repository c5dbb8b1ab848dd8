public import Hummingbird
public import Metrics
import NIOConcurrencyHelpers

/// Counts requests and records their durations by route pattern, method and status.
public struct RouteMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let recorder: RouteMetricsRecorder

    /// Creates the middleware over a recorder (shared with the other carriers of answers).
    public init(recorder: RouteMetricsRecorder) {
        self.recorder = recorder
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? UnmatchedRoute.endpointPath
        self.recorder.record(route: route, method: request.method.rawValue, status: response.status.code, duration: .now - start)
        return response
    }
}

/// `wharf_http_requests_total` and `wharf_http_request_duration_seconds` by route, method and
/// status.
///
/// The route is the matched pattern (`/api/files/{id}`, `static:/`), never the raw path, so the
/// number of series stays bounded. Metrics go to the factory given, not the global system, so
/// that every application (and every test) has its own.
public final class RouteMetricsRecorder: Sendable {
    private struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }
    private let factory: any MetricsFactory
    private let storage = NIOLockedValueBox<[Key: RouteMetrics]>([:])

    /// A recorder into `factory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Counts one answered request.
    public func record(route: String, method: String, status: Int, duration: Duration) {
        self.metrics(route: route, method: method, status: status).record(duration)
    }

    /// The metrics of one route, method and status, for a carrier that keeps them at hand.
    public func metrics(route: String, method: String, status: Int) -> RouteMetrics {
        let key = Key(route: route, method: method, status: status)
        return self.storage.withLockedValue { storage in
            if let metrics = storage[key] { return metrics }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let metrics = RouteMetrics(
                requests: Counter(label: "wharf_http_requests_total", dimensions: dimensions, factory: self.factory),
                duration: Timer(label: "wharf_http_request_duration_seconds", dimensions: dimensions, factory: self.factory)
            )
            storage[key] = metrics
            return metrics
        }
    }
}

/// The request counter and duration timer of one route, method and status.
public struct RouteMetrics: Sendable {
    let requests: Counter
    let duration: Timer

    /// Counts one answered request that took `duration`.
    public func record(_ duration: Duration) {
        self.requests.increment()
        self.duration.recordNanoseconds(Int64(duration / .nanoseconds(1)))
    }
}
