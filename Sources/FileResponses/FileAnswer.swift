public import HTTPTypes
public import NIOCore

/// An answer to a request for a file, decided before any byte of it is read: what the head
/// says, and which bytes make up the body.
public struct FileAnswer: Sendable {
    /// A piece of the body: literal bytes (a part header of `multipart/byteranges`), or `length`
    /// bytes of the file at `offset`.
    public enum Segment: Sendable {
        case bytes(ByteBuffer)
        case file(Int64, Int64)

        /// Bytes in this piece.
        public var length: Int64 {
            switch self {
            case .bytes(let buffer): Int64(buffer.readableBytes)
            case .file(_, let length): length
            }
        }
    }

    /// 200, 206 or 304.
    public var status: HTTPResponse.Status
    /// Every header of the answer, `Content-Length` last.
    public var headers: HTTPFields
    /// The body, in order (empty for 304).
    public var segments: [Segment]
    /// False for HEAD and 304: the head says how long the body would be, and nothing follows.
    public var sendsBody: Bool
}
