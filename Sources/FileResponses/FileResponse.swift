public import HTTPTypes
public import Hummingbird
public import NIOCore

/// How to send a file: headers and a streamed body, for API downloads and (later) static mounts.
///
/// The body is read from the source in chunks of `chunkSize` only as fast as the client takes
/// them (each write waits for the channel), so a slow client holds a chunk or two of memory, and a
/// client that goes away ends the reading at once. The source is closed either way.
public struct FileResponse: Sendable {
    /// Size of each read from the source.
    public static let chunkSize = 1 << 20

    /// The body's media type.
    public var contentType: String
    /// The strong validator, without quotes (e.g. the content's SHA-256).
    public var entityTag: String?
    /// How the browser should treat the file, if it should be told.
    public var disposition: ContentDisposition?

    /// Describes a file to send.
    public init(contentType: String, entityTag: String?, disposition: ContentDisposition?) {
        self.contentType = contentType
        self.entityTag = entityTag
        self.disposition = disposition
    }

    /// The response that sends all of `source`.
    public func response(streaming source: any ByteSource) -> Response {
        var headers: HTTPFields = [
            .contentType: self.contentType,
            .contentLength: String(source.size),
            .acceptRanges: "bytes",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        if let entityTag { headers[.eTag] = "\"\(entityTag)\"" }
        if let disposition { headers[.contentDisposition] = disposition.headerValue }
        let size = source.size
        let body = ResponseBody(contentLength: Int(size)) { writer in
            do {
                var offset: Int64 = 0
                while offset < size {
                    let buffer = try await source.read(offset: offset, length: Int(min(Int64(Self.chunkSize), size - offset)))
                    if buffer.readableBytes == 0 { throw SourceEndedEarly(expected: size, received: offset) }
                    offset += Int64(buffer.readableBytes)
                    try await writer.write(buffer)
                }
                try await source.close()
            } catch {
                try? await source.close()
                throw error
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// The source held fewer bytes than it declared: the response is cut off so the client notices.
struct SourceEndedEarly: Error {
    let expected: Int64
    let received: Int64
}
