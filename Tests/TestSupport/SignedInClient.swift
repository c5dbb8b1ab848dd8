public import HTTPTypes
public import HummingbirdTesting
public import NIOCore

/// A test client that signs every request in with a bearer token, as an API client does, unless
/// the request brings its own `Authorization` or `Cookie`.
public struct SignedInClient: TestClientProtocol {
    /// The client underneath, which sends requests as they are.
    public let anonymous: any TestClientProtocol
    /// The token added to requests.
    public let token: String

    public func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if headers[.authorization] == nil && headers[.cookie] == nil {
            headers[.authorization] = "Bearer " + self.token
        }
        return try await self.anonymous.executeRequest(uri: uri, method: method, headers: headers, body: body)
    }

    public var port: Int? { self.anonymous.port }
}
