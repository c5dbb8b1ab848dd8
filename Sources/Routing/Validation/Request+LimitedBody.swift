public import Hummingbird
public import NIOCore

extension Request {
    /// The whole body, of at most `maxSize` bytes. A larger one is refused with `tooLarge`: one
    /// whose Content-Length declares it before any of it is read (no `100 Continue` invites it,
    /// as nginx's `client_max_body_size` refuses it), one sent without a length once it passes.
    public func limitedBody(upTo maxSize: Int, tooLarge: @autoclosure () -> HTTPException) async throws -> ByteBuffer {
        if let declared = self.headers[.contentLength].flatMap({ Int($0) }), declared > maxSize { throw tooLarge() }
        do {
            return try await self.body.collect(upTo: maxSize)
        } catch is NIOTooManyBytesError {
            throw tooLarge()
        }
    }
}
