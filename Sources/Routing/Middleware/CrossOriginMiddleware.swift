import HTTPTypes
public import Hummingbird

/// Cross-origin requests (CORS) to the paths under `pathPrefix` from the origins a site names,
/// so that a page on another site (Uppy, tus-js-client) can call the API with a bearer token,
/// answered as tusd and FastAPI's CORSMiddleware answer them:
/// a preflight (`OPTIONS` with `Access-Control-Request-Method`) gets 204 with the methods, the
/// headers it asked for and a day's `Access-Control-Max-Age`; every other answer, errors
/// included, gets `Access-Control-Allow-Origin` and `Access-Control-Expose-Headers`, since a
/// browser shows a script only the headers named there (Hummingbird's own middleware names them
/// on the preflight alone, where they do nothing). Credentials are never allowed: a session
/// cookie sent from another site is refused anyway. Requests from other origins go on untouched.
public struct CrossOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    private let origins: AllowedOrigins
    private let pathPrefix: String
    private let exposedHeaders: String
    private static var allowedMethods: String { "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" }
    private static var maxAge: String { "86400" }

    /// Answers cross-origin requests from `origins` to paths under `pathPrefix`, showing scripts
    /// `exposedHeaders` besides the ones browsers always show.
    public init(origins: AllowedOrigins, pathPrefix: String, exposedHeaders: [HTTPField.Name]) {
        self.origins = origins
        self.pathPrefix = pathPrefix
        self.exposedHeaders = exposedHeaders.map(\.rawName).joined(separator: ", ")
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], request.uri.path.hasPrefix(self.pathPrefix),
            let allowed = self.origins.allowedValue(for: origin)
        else { return try await next(request, context) }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers: HTTPFields = [
                .accessControlAllowOrigin: allowed,
                .accessControlAllowMethods: Self.allowedMethods,
                .accessControlMaxAge: Self.maxAge,
            ]
            if let asked = request.headers[.accessControlRequestHeaders] { headers[.accessControlAllowHeaders] = asked }
            if !self.origins.anyOrigin { headers[.vary] = "Origin" }
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = allowed
        response.headers[.accessControlExposeHeaders] = self.exposedHeaders
        if !self.origins.anyOrigin { response.headers[values: .vary].append("Origin") }
        return response
    }
}

/// The origins allowed: `*` (any) or exact `scheme://host[:port]` values.
public struct AllowedOrigins: Sendable {
    let anyOrigin: Bool
    let origins: Set<String>

    /// `nil` when `list` allows nothing.
    public init?(_ list: [String]) {
        guard !list.isEmpty else { return nil }
        self.anyOrigin = list.contains("*")
        self.origins = Set(list.map { $0.lowercased() })
    }

    /// Whether `text` can name allowed origins: `*`, or a scheme and host (and port) with
    /// nothing after, in ASCII, as browsers send `Origin` (a trailing slash would never match).
    public static func isValid(_ text: String) -> Bool {
        if text == "*" { return true }
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "http" || parts[0] == "https", !parts[1].isEmpty else { return false }
        return parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-.:[]".contains($0)) }
    }

    /// The `Access-Control-Allow-Origin` for a request from `origin`, `nil` when not allowed.
    func allowedValue(for origin: String) -> String? {
        if self.anyOrigin { return "*" }
        return self.origins.contains(origin.lowercased()) ? origin : nil
    }
}
