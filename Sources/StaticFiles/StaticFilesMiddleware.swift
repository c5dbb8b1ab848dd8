public import Hummingbird
import Routing

/// Serves static mounts for GET and HEAD requests that no route answered: the async carrier of
/// `StaticFileServer`'s answers. Other methods on what a mount holds get 405 with `Allow`.
public struct StaticFilesMiddleware<Context: RequestContext>: RouterMiddleware {
    let server: StaticFileServer

    /// Carries the answers of `server`.
    public init(server: StaticFileServer) {
        self.server = server
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch  where UnmatchedRoute.matches(error, context: context) {
            let path = request.uri.path
            if self.server.excludedPrefixes.contains(where: { path.hasPrefix($0) }) { throw error }
            guard request.method == .get || request.method == .head else {
                // What a static file answers to, as nginx, Caddy and Starlette's StaticFiles say.
                if self.server.mounts.contains(where: { self.server.names(path[...], in: $0) }) {
                    throw HTTPException(.methodNotAllowed, "A static file answers GET and HEAD only.", headers: [.allow: "GET, HEAD"])
                }
                throw error
            }
            for mount in self.server.mounts where mount.relativePath(path[...]) != nil {
                if let response = try await self.server.serve(request, from: mount) {
                    context.coreContext.endpointPath.value = mount.endpointPath
                    return response
                }
            }
            throw error
        }
    }
}
