import FileResponses
import HTTPTypes
import Hummingbird
import Routing
import Storage

/// Share links: made, listed and revoked under `/api`, downloaded by anyone at `/s/{token}`.
struct ShareLinksController: Sendable {
    let files: FilesService
    let maxRanges: Int
    /// Whether a content a scrub found corrupt is still sent (marked as such) rather than refused.
    let serveCorrupt: Bool
    /// What a browser is shown when a link cannot give its file.
    let refusalPage: LinkRefusalPage

    /// The API of links, behind authentication.
    func register(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/api", table: table)
            .post("files/{id}/links", self.create)
            .get("files/{id}/links", self.list)
            .delete("links/{token}", self.revoke)
    }

    /// Downloads by link, open to anyone who has it.
    func registerPublic(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/s", table: table)
            .get("{token}", self.download)
    }

    /// `POST /api/files/{id}/links`: 201 with the new link.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try FilesController.fileID(context)
        var body = try await JSONBody.read(request, emptyIsObject: true)
        let asked = ShareLinkRequest(
            expiresIn: body.integer("expires_in", required: false, in: ShareLinkRequest.lifetimes) ?? ShareLinkRequest.defaultLifetime,
            maxDownloads: body.integer("max_downloads", required: false, in: ShareLinkRequest.downloadLimits)
        )
        try body.validate()
        let link = try await self.files.createLink(
            to: id,
            lifetime: Int64(asked.expiresIn) * 1_000_000,
            maxDownloads: asked.maxDownloads,
            as: try context.principal
        )
        let answer = ShareLinkBody(link)
        return .json(answer, status: .created, headers: [.location: answer.url])
    }

    /// `GET /api/files/{id}/links`: the file's links, oldest first.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        .json(try await self.files.links(to: try FilesController.fileID(context), as: try context.principal).map(ShareLinkBody.init))
    }

    /// `DELETE /api/links/{token}`: 204; the link then answers 404.
    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await self.files.revokeLink(try context.parameters.decoded("token"), as: try context.principal)
        return Response(status: .noContent)
    }

    /// `GET /s/{token}`: the file, as an attachment under its name, with validators and ranges;
    /// each GET answered with bytes of the file (200, 206) counts as a download, but for one cut
    /// off before its end. A HEAD, a 304, a 412 or a 416 sends none and counts nothing: a probe
    /// cannot use up a link. A link that cannot give its file answers a browser with a page
    /// (`LinkRefusalPage`), anyone else JSON.
    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            return try await self.send(request, context: context)
        } catch let error as StorageError {
            guard let refusal = ErrorTranslation.exception(for: error) else { throw error }
            var headers = refusal.headers
            headers[.vary] = "Accept"
            headers[.cacheControl] = "no-store"
            let answer = HTTPException(refusal.status, detail: refusal.detail, headers: headers)
            guard LinkRefusalPage.isWanted(by: request), let page = self.refusalPage.render(answer) else { throw answer }
            return request.method == .head ? page.createHeadResponse() : page
        }
    }

    private func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.decoded("token")
        let (record, reader) = try await self.files.openShared(token, servingCorrupt: self.serveCorrupt)
        var response = try await StoredFileResponse.response(
            to: request,
            record: record,
            reader: reader,
            disposition: .attachment,
            maxRanges: self.maxRanges
        )
        if request.method == .get && (response.status == .ok || response.status == .partialContent) {
            do {
                try await self.files.claimDownload(token)
            } catch {
                try? await reader.close()
                throw error
            }
            if response.headers[.contentType]?.hasPrefix("multipart/byteranges") != true {
                response.body = self.returningDownload(token, ifCut: response.body)
            }
        }
        // A shared file is for its link's holder: no shared cache keeps it past the link's life.
        response.headers[.cacheControl] = "private, no-store"
        return response
    }

    /// An answer of one stretch of the file that is cut off gives its download back: its client
    /// lacks at least the stretch's last byte, which only an answer that goes out whole, and
    /// keeps its count, can give it. (An answer of several ranges keeps its count: its parts come
    /// in the order asked, so the one cut off could be one its client does not need.)
    private func returningDownload(_ token: String, ifCut body: ResponseBody) -> ResponseBody {
        let files = self.files
        return ResponseBody(contentLength: body.contentLength) { writer in
            do {
                try await body.write(writer)
            } catch {
                try? await files.returnDownload(token)
                throw error
            }
        }
    }
}
