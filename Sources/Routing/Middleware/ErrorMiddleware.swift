import HTTPTypes
public import Hummingbird
import Logging
import NIOHTTP1

/// Turns every error into a JSON answer `{"detail": ...}`, in one place.
///
/// - `HTTPException` and validation errors answer as they say;
/// - errors of other layers go through `translate` (App's mapping of domain errors);
/// - a malformed or cut-off request (the HTTP parser's errors) answers 400;
/// - a path no route matches answers 404, or 405 with `Allow` when the path exists with other methods;
/// - a request cancelled before its answer (the shutdown grace ran out while it was served)
///   answers 503, logged as the shutdown's doing, not as a fault of the server;
/// - anything else answers 500 with a generic detail and is logged with the request id, so no
///   stack trace, path or message of the server reaches a client.
public struct ErrorMiddleware<Context: RoutingRequestContext>: RouterMiddleware {
    let routes: RouteTable
    let translate: @Sendable (any Error) -> HTTPException?

    /// Creates the middleware over the route table and App's mapping of domain errors.
    public init(routes: RouteTable, translate: @escaping @Sendable (any Error) -> HTTPException?) {
        self.routes = routes
        self.translate = translate
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let response = try self.exception(for: error, request: request, context: context).response(from: request, context: context)
            // HEAD gets the headers GET would get, Content-Length included, and no body.
            return request.method == .head ? response.createHeadResponse() : response
        }
    }

    func exception(for error: any Error, request: Request, context: Context) -> HTTPException {
        switch error {
        case let exception as HTTPException:
            return exception
        case let validation as RequestValidationError:
            return validation.exception
        case _ where UnmatchedRoute.matches(error, context: context):
            return self.unmatched(request)
        case is HTTPParserError:
            // The client sent a malformed request or went away mid-body; nobody may be listening.
            context.logger.debug("Malformed or cut-off request", metadata: ["error": "\(error)"])
            return HTTPException(.badRequest, "The request is malformed or its body was cut off.")
        case is CancellationError:
            context.logger.notice("A request was cut off by the shutdown", metadata: ["request.id": "\(context.requestID)"])
            return HTTPException(.serviceUnavailable, "The server is stopping: the request was cut off. Send it again.")
        case let httpError as HTTPError:
            return HTTPException(httpError.status, httpError.body ?? httpError.status.reasonPhrase, headers: httpError.headers)
        default:
            if let exception = self.translate(error) { return exception }
            context.logger.error("Unexpected error", metadata: ["error": "\(String(reflecting: error))", "request.id": "\(context.requestID)"])
            return HTTPException(.internalServerError, "Internal Server Error")
        }
    }

    func unmatched(_ request: Request) -> HTTPException {
        let allowed = self.routes.allowedMethods(for: request.uri.path)
        if allowed.isEmpty || allowed.contains(request.method) {
            return .notFound
        }
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return HTTPException(.methodNotAllowed, "Method Not Allowed", headers: [.allow: allow])
    }
}
