import Foundation
public import Hummingbird

/// What the routing stack needs of a request context: a place for the request id.
public protocol RoutingRequestContext: RequestContext {
    /// The request's id, echoed in `X-Request-ID` and attached to every log line of the request.
    var requestID: String { get set }
}

extension Parameters {
    /// A path parameter, percent-decoded (Hummingbird hands them over as written in the URL).
    /// Throws 404 when the parameter is missing or its escapes are not valid UTF-8.
    public func decoded(_ name: String) throws -> String {
        guard let raw = self.get(name), let value = raw.removingPercentEncoding else {
            throw HTTPException.notFound
        }
        return value
    }
}
