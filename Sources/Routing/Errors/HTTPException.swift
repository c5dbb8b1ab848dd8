public import HTTPTypes
public import Hummingbird

/// An error that is an HTTP answer, as FastAPI's `HTTPException`: a status, a `detail` for the
/// client, and optional headers. The body is always JSON `{"detail": ...}`.
public struct HTTPException: Error, HTTPResponseError, CustomStringConvertible {
    /// The status to answer with.
    public let status: HTTPResponse.Status
    /// What the client is told, as the JSON value of `detail`.
    public let detail: JSONValue
    /// Extra response headers (e.g. `Allow` on a 405).
    public let headers: HTTPFields

    /// An exception whose detail is a sentence.
    public init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.init(status, detail: .string(detail), headers: headers)
    }

    /// An exception whose detail is any JSON value.
    public init(_ status: HTTPResponse.Status, detail: JSONValue, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    public var description: String { "\(self.status.code) \(self.detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        let body = JSONValue.object(["detail": self.detail]).encoded()
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: body))
    }
}
