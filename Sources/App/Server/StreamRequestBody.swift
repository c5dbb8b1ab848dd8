import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOHTTPTypes

/// The body of a stream's request: its parts after the head, up to the end.
struct StreamRequestBody: AsyncSequence, @unchecked Sendable {
    // Unchecked: NIO's iterator is not Sendable; the responder's task alone reads it, once.
    typealias Element = ByteBuffer

    let parts: NIOAsyncChannelInboundStream<HTTPRequestPart>.AsyncIterator

    struct AsyncIterator: AsyncIteratorProtocol {
        var parts: NIOAsyncChannelInboundStream<HTTPRequestPart>.AsyncIterator

        mutating func next() async throws -> ByteBuffer? {
            let part: HTTPRequestPart?
            do {
                part = try await self.parts.next()
            } catch is NIOHTTP2Errors.StreamClosed {
                // The client reset the stream mid-body: a body cut off, as by the close of an
                // HTTP/1 connection, not a fault of the server.
                throw HTTPParserError.invalidEOFState
            }
            switch part {
            case .body(let bytes): return bytes
            case .end, nil: return nil
            case .head(let head): throw UnexpectedRequestPart(part: .head(head))
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(parts: self.parts)
    }
}

/// A stream's request part out of order (the codec gives a head first, and one only).
struct UnexpectedRequestPart: Error {
    let part: HTTPRequestPart
}
