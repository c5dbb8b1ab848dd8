public import Hummingbird
public import Metrics
import NIOConcurrencyHelpers

/// Counts requests and records their durations by route pattern, method and status.
///
/// The route is the matched pattern (`/api/files/{id}`), never the raw path, so the number of
/// series stays bounded. Metrics go to the factory given, not the global system, so that every
/// application (and every test) has its own.
public struct RouteMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let factory: any MetricsFactory
    private let cache = MetricCache()

    /// Creates the middleware over a metrics factory.
    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? UnmatchedRoute.endpointPath
        let metrics = self.cache.metrics(route: route, method: request.method.rawValue, status: response.status.code, factory: self.factory)
        metrics.requests.increment()
        metrics.duration.recordNanoseconds(Int64((ContinuousClock.now - start) / .nanoseconds(1)))
        return response
    }
}

private final class MetricCache: Sendable {
    struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }
    struct RouteMetrics: Sendable {
        let requests: Counter
        let duration: Timer
    }
    private let storage = NIOLockedValueBox<[Key: RouteMetrics]>([:])

    func metrics(route: String, method: String, status: Int, factory: any MetricsFactory) -> RouteMetrics {
        let key = Key(route: route, method: method, status: status)
        return self.storage.withLockedValue { storage in
            if let metrics = storage[key] { return metrics }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let metrics = RouteMetrics(
                requests: Counter(label: "wharf_http_requests_total", dimensions: dimensions, factory: factory),
                duration: Timer(label: "wharf_http_request_duration_seconds", dimensions: dimensions, factory: factory)
            )
            storage[key] = metrics
            return metrics
        }
    }
}
