public import HTTPTypes
import NIOConcurrencyHelpers

/// Every route's path pattern and methods, kept beside Hummingbird's router so that a path that
/// exists with other methods answers 405 with `Allow` (Hummingbird answers 404).
public final class RouteTable: Sendable {
    private let routes = NIOLockedValueBox<[(pattern: [Substring], method: HTTPRequest.Method)]>([])
    /// Whether a route matches a path, remembered per path (routes are added only at start).
    private let routed = NIOLockedValueBox<[Substring: Bool]>([:])

    /// An empty table.
    public init() {}

    /// Records a route; `pattern` uses `{name}` or `:name` for parameters and `*`/`**` wildcards.
    public func add(_ pattern: String, method: HTTPRequest.Method) {
        let segments = pattern.split(separator: "/")
        self.routes.withLockedValue { $0.append((segments, method)) }
        self.routed.withLockedValue { $0.removeAll() }
    }

    /// Whether any route matches `path`, with any method: on the hot path of static answers,
    /// remembered for up to 16,384 paths.
    public func isRouted(_ path: Substring) -> Bool {
        if let known = self.routed.withLockedValue({ $0[path] }) { return known }
        let routed = !self.allowedMethods(for: String(path)).isEmpty
        self.routed.withLockedValue { cache in
            if cache.count >= 16384 { cache.removeAll(keepingCapacity: true) }
            // A copy of its own, not a slice keeping a whole request target alive.
            cache[Substring(String(path))] = routed
        }
        return routed
    }

    /// The methods a path answers to, with HEAD wherever GET is; empty when no route matches.
    public func allowedMethods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        var methods: [HTTPRequest.Method] = []
        for route in self.routes.withLockedValue({ $0 }) where Self.matches(route.pattern, segments) {
            if !methods.contains(route.method) { methods.append(route.method) }
            if route.method == .get && !methods.contains(.head) { methods.append(.head) }
        }
        return methods
    }

    static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
        var index = 0
        for segment in pattern {
            if segment == "**" { return true }
            guard index < path.count else { return false }
            let isParameter = segment == "*" || segment.hasPrefix(":") || (segment.hasPrefix("{") && segment.hasSuffix("}"))
            if !isParameter && segment != path[index] { return false }
            index += 1
        }
        return index == path.count
    }
}
