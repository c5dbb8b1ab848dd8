import Crypto
import FileResponses
import HTTPTypes
import Hummingbird
import NIOCore
import Routing
import TextBytes

/// A file record as answered, with its entity tag: the first 128 bits of the SHA-256 of its
/// JSON, so that a tag stands for exactly one representation (its thumbnails and the scrub's
/// findings included, which `If-None-Match` must not hide) and stays the same across restarts.
struct RecordAnswer {
    let body: ByteBuffer
    let entityTag: EntityTag

    init(_ record: FileRecordBody) {
        self.body = JSONCoding.encode(record)
        self.entityTag = EntityTag(Hex.lowercase(SHA256.hash(data: self.body.readableBytesView).prefix(16)))
    }

    /// The record as JSON under its `ETag`.
    func response() -> Response {
        let headers: HTTPFields = [
            .contentType: "application/json",
            .contentLength: String(self.body.readableBytes),
            .eTag: self.entityTag.headerValue,
        ]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: self.body))
    }
}
