public import Hummingbird

/// How a request that no route matched is recognised, in one place: Hummingbird's router throws
/// `HTTPError(.notFound)` for it after naming its endpoint `NotFound`.
public enum UnmatchedRoute {
    /// The endpoint name of a request no route matched (as metrics label it).
    public static let endpointPath = "NotFound"

    /// Whether `error` is the router's answer to a request no route matched (not a route's own 404).
    public static func matches(_ error: any Error, context: some RequestContext) -> Bool {
        guard let error = error as? HTTPError else { return false }
        return error.status == .notFound && context.endpointPath == Self.endpointPath
    }
}
