import Hummingbird
import Logging
import Prometheus
import Routing
import Storage

/// `/healthz`, `/readyz` and `/metrics`: what operators and orchestrators poll.
struct OperationsController: Sendable {
    let files: FilesService
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "", table: table)
            .get("healthz", self.health)
            .get("readyz", self.readiness)
            .get("metrics", self.metrics)
    }

    /// The process is up and answering.
    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        .json(StatusBody(status: "ok"))
    }

    /// The database answers and the storage root takes new files.
    @Sendable func readiness(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            try await self.files.checkDatabase()
        } catch {
            context.logger.warning("Readiness: database", metadata: ["error": "\(error)"])
            throw HTTPException(.serviceUnavailable, "The metadata database does not answer.")
        }
        do {
            try await self.files.checkWritable()
        } catch {
            context.logger.warning("Readiness: storage", metadata: ["error": "\(error)"])
            throw HTTPException(.serviceUnavailable, "The storage root is not writable.")
        }
        return .json(StatusBody(status: "ready"))
    }

    /// Prometheus text exposition format.
    @Sendable func metrics(_ request: Request, context: AppRequestContext) async throws -> Response {
        var bytes: [UInt8] = []
        self.registry.emit(into: &bytes)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .contentLength: String(bytes.count)],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
