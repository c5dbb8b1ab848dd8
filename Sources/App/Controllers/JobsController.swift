import Hummingbird
import Routing
import Storage

/// `GET /api/jobs?status=&limit=`: the background jobs, newest first, for admins.
struct JobsController: Sendable {
    let jobs: JobQueue

    func register(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/api", table: table).get("jobs", self.list)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard try context.principal.isAdmin else { throw HTTPException(.forbidden, "Only admins see the jobs.") }
        var query = QueryParameters(request)
        let status = query.optionalChoice("status", as: JobStatus.self)
        let limit = query.integer("limit", default: 100, in: 1...1000)
        try query.validate()
        return .json(try await self.jobs.list(status: status, limit: limit).map(JobBody.init))
    }
}
