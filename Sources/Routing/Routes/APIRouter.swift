public import HTTPTypes
public import Hummingbird

/// Routes grouped under a prefix, as FastAPI's `APIRouter`: each route is registered with
/// Hummingbird and recorded in the route table that answers 405 for wrong methods.
public struct APIRouter<Context: RequestContext> {
    /// The Hummingbird group the routes go to.
    public let group: RouterGroup<Context>
    private let prefix: String
    private let table: RouteTable

    /// A group of routes under `prefix` (e.g. `/api/files`).
    public init(_ router: some RouterMethods<Context>, prefix: String, table: RouteTable) {
        self.group = router.group(RouterPath(prefix))
        self.prefix = prefix
        self.table = table
    }

    /// Adds a route; `path` is relative to the prefix (`""` for the prefix itself).
    @discardableResult
    public func on(
        _ path: String,
        method: HTTPRequest.Method,
        _ handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) -> Self {
        self.group.on(RouterPath(path), method: method, use: handler)
        self.table.add(self.prefix + (path.isEmpty ? "" : "/" + path), method: method)
        return self
    }

    /// Adds a GET route.
    @discardableResult
    public func get(_ path: String = "", _ handler: @escaping @Sendable (Request, Context) async throws -> Response) -> Self {
        self.on(path, method: .get, handler)
    }

    /// Adds a POST route.
    @discardableResult
    public func post(_ path: String = "", _ handler: @escaping @Sendable (Request, Context) async throws -> Response) -> Self {
        self.on(path, method: .post, handler)
    }

    /// Adds a PUT route.
    @discardableResult
    public func put(_ path: String = "", _ handler: @escaping @Sendable (Request, Context) async throws -> Response) -> Self {
        self.on(path, method: .put, handler)
    }

    /// Adds a PATCH route.
    @discardableResult
    public func patch(_ path: String = "", _ handler: @escaping @Sendable (Request, Context) async throws -> Response) -> Self {
        self.on(path, method: .patch, handler)
    }

    /// Adds a DELETE route.
    @discardableResult
    public func delete(_ path: String = "", _ handler: @escaping @Sendable (Request, Context) async throws -> Response) -> Self {
        self.on(path, method: .delete, handler)
    }
}
