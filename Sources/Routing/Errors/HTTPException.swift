public import HTTPTypes
public import Hummingbird

/// An error that is an HTTP answer, as FastAPI's `HTTPException`: a status, a `detail` for the
/// client, and optional headers. The body is always JSON `{"detail": ...}`.
public struct HTTPException: Error, HTTPResponseError, CustomStringConvertible {
    /// The status to answer with.
    public let status: HTTPResponse.Status
    /// What the client is told, as `detail`.
    public let detail: ErrorDetail
    /// Extra response headers (e.g. `Allow` on a 405).
    public let headers: HTTPFields

    /// An exception whose detail is a sentence.
    public init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.init(status, detail: .message(detail), headers: headers)
    }

    /// An exception with any detail (the issues of a 422).
    public init(_ status: HTTPResponse.Status, detail: ErrorDetail, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    public var description: String { "\(self.status.code) \(self.detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        .json(ErrorBody(detail: self.detail), status: self.status, headers: self.headers)
    }
}

extension HTTPException {
    /// A path no route (or no parameter value) names.
    public static let notFound = HTTPException(.notFound, "Not Found")
}
