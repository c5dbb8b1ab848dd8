public import HTTPTypes
public import HummingbirdTesting
import NIOCore

extension TestClientProtocol {
    /// A request with an optional text body; `json` sends it as `application/json`.
    public func request(
        _ method: HTTPRequest.Method,
        _ uri: String,
        body: String? = nil,
        json: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if json != nil { headers[.contentType] = "application/json" }
        return try await self.execute(uri: uri, method: method, headers: headers, body: (json ?? body).map { ByteBuffer(string: $0) })
    }
}
