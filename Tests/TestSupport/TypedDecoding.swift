import Foundation
public import HummingbirdTesting
import NIOCore

extension TestResponse {
    /// The body decoded as the API type it promises; a body of another shape fails the test.
    public func decoded<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(self.body.readableBytesView))
    }
}

extension Curl.Reply {
    /// The body decoded as the API type it promises; a body of another shape fails the test.
    public func decoded<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: self.body)
    }
}
