import FileResponses
import Hummingbird
import Routing

/// The web site's front page at `/`, from the static directory's `index.html`.
/// (Static mounts with the full file-serving behaviour replace this in a later issue.)
struct SiteController: Sendable {
    let staticDirectory: String

    func register(on router: Router<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "", table: table)
            .get("", self.index)
            .get("index.html", self.index)
    }

    @Sendable func index(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let source = try await LocalFileSource.open(path: self.staticDirectory + "/index.html") else {
            throw HTTPException(.notFound, "Not Found")
        }
        var response = try await FileResponse(contentType: "text/html; charset=utf-8", entityTag: nil, lastModified: nil, disposition: nil)
            .response(to: request, streaming: source)
        response.headers[.cacheControl] = "no-cache"
        return response
    }
}
