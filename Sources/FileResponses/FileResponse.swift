public import HTTPTypes
public import Hummingbird
import NIOCore

/// How to send a file, for API downloads and static mounts alike: validators and
/// preconditions (304/412), byte ranges (206, `multipart/byteranges`, 416), HEAD, disposition.
/// It renders no error body: a 412 or 416 is thrown as `FileResponseError` for App to answer.
///
/// A body of up to `eagerReadLimit` bytes (a small file, a typical range) is read before the
/// response is returned, so it leaves with its head in one write. A larger body is read from the
/// source in chunks of `chunkSize` only as fast as the client takes them (each write waits for
/// the channel), so a slow client holds a chunk or two of memory, and a client that goes away ends
/// the reading at once. The source is closed either way.
public struct FileResponse: Sendable {
    /// Size of each read from the source.
    public static let chunkSize = 1 << 20
    /// Bodies up to this size are read whole before the response is returned.
    public static let eagerReadLimit = 128 << 10

    /// The body's media type.
    public let contentType: String
    /// The strong validator, if the file has one (e.g. its SHA-256).
    public let entityTag: EntityTag?
    /// Last modification, in seconds since 1970, if known.
    public let lastModified: Int64?
    /// How the browser should treat the file, if it should be told.
    public let disposition: ContentDisposition?
    /// More ranges than this in one request get the whole file (ranges must not amplify traffic).
    public let maxRanges: Int
    /// The fields every answer starts with (`Accept-Ranges`, `nosniff` and the validators),
    /// formatted once: a description kept for many requests (a static file's plan) then costs
    /// each answer a copy of them, not a date formatted anew.
    private let leadingFields: HTTPFields

    /// Describes a file to send.
    public init(contentType: String, entityTag: EntityTag?, lastModified: Int64?, disposition: ContentDisposition?, maxRanges: Int = 16) {
        self.contentType = contentType
        self.entityTag = entityTag
        self.lastModified = lastModified
        self.disposition = disposition
        self.maxRanges = maxRanges
        var fields: HTTPFields = [.acceptRanges: "bytes", .contentTypeOptions: "nosniff"]
        if let entityTag { fields.append(HTTPField(name: .eTag, value: entityTag.headerValue)) }
        if let lastModified { fields.append(HTTPField(name: .lastModified, value: HTTPDate.format(lastModified))) }
        self.leadingFields = fields
    }

    /// The response to `request` for the bytes of `source`; HEAD gets the same headers, no body.
    public func response(to request: HTTPRequest, streaming source: any ByteSource) async throws -> Response {
        let answer: FileAnswer
        do {
            answer = try self.answer(to: request, size: source.size)
        } catch {
            try await source.close()
            throw error
        }
        guard answer.sendsBody else {
            try await source.close()
            return Response(status: answer.status, headers: answer.headers)
        }
        return Response(status: answer.status, headers: answer.headers, body: try await Self.body(source, answer.segments))
    }

    /// What to answer `request` for a file of `size` bytes, decided without reading a byte: the
    /// status, every header (`Content-Length` included) and the body's segments. Both carriers of
    /// an answer (the async responder and the event-loop fast path) start from this.
    public func answer(to request: HTTPRequest, size: Int64) throws(FileResponseError) -> FileAnswer {
        // Every field is new: appended, not looked up first.
        var headers = self.leadingFields
        headers.reserveCapacity(16)

        switch ConditionalRequest.evaluate(request, entityTag: self.entityTag, lastModified: self.lastModified) {
        case .notModified:
            headers.append(HTTPField(name: .contentLength, value: "0"))
            return FileAnswer(status: .notModified, headers: headers, segments: [], sendsBody: false)
        case .preconditionFailed:
            throw FileResponseError.preconditionFailed(headers: headers)
        case .proceed:
            break
        }
        if let disposition { headers.append(HTTPField(name: .contentDisposition, value: disposition.headerValue)) }

        let rangeHeader =
            ConditionalRequest.rangeApplies(request, entityTag: self.entityTag, lastModified: self.lastModified)
            ? request.headerFields.value(of: .range) : nil
        let status: HTTPResponse.Status
        var segments: [FileAnswer.Segment]
        switch ByteRanges(header: rangeHeader, size: size, maxRanges: self.maxRanges) {
        case .whole:
            headers.append(HTTPField(name: .contentType, value: self.contentType))
            (status, segments) = (.ok, [.file(0, size)])
        case .unsatisfiable:
            throw FileResponseError.rangeNotSatisfiable(size: size, headers: headers)
        case .partial(let ranges) where ranges.count == 1:
            let range = ranges[0]
            headers.append(HTTPField(name: .contentType, value: self.contentType))
            headers.append(HTTPField(name: .contentRange, value: Self.contentRange(range, size: size)))
            (status, segments) = (.partialContent, [.file(range.lowerBound, range.upperBound - range.lowerBound + 1)])
        case .partial(let ranges):
            let boundary = Self.newBoundary()
            headers.append(HTTPField(name: .contentType, value: "multipart/byteranges; boundary=\(boundary)"))
            segments = []
            for range in ranges {
                let partHeader =
                    "\r\n--\(boundary)\r\nContent-Type: \(self.contentType)\r\nContent-Range: \(Self.contentRange(range, size: size))\r\n\r\n"
                segments.append(.bytes(ByteBuffer(string: partHeader)))
                segments.append(.file(range.lowerBound, range.upperBound - range.lowerBound + 1))
            }
            segments.append(.bytes(ByteBuffer(string: "\r\n--\(boundary)--\r\n")))
            status = .partialContent
        }
        headers.append(HTTPField(name: .contentLength, value: String(segments.reduce(0) { $0 + $1.length })))
        return FileAnswer(status: status, headers: headers, segments: segments, sendsBody: request.method != .head)
    }

    /// The `Content-Range` of `range` of a representation of `size` bytes.
    public static func contentRange(_ range: ClosedRange<Int64>, size: Int64) -> String {
        var value = ""
        Self.appendContentRange(range, size: size, to: &value)
        return value
    }

    /// Appends the `Content-Range` of `range` to `text`: the fast path writes it into a line of
    /// the head without a string of its own.
    public static func appendContentRange(_ range: ClosedRange<Int64>, size: Int64, to text: inout String) {
        // "bytes ", two separators and three numbers of at most 19 digits.
        text.reserveCapacity(text.utf8.count + 65)
        text += "bytes "
        text += String(range.lowerBound)
        text += "-"
        text += String(range.upperBound)
        text += "/"
        text += String(size)
    }

    /// The body of an answer's segments, read from `source` (closed once the body is done).
    public static func body(_ source: any ByteSource, _ segments: [FileAnswer.Segment]) async throws -> ResponseBody {
        if segments.count == 1, case .file(let start, let length) = segments[0], let bytes = source.bytesInMemory {
            return ResponseBody(byteBuffer: bytes.getSlice(at: bytes.readerIndex + Int(start), length: Int(length))!)
        }
        let total = segments.reduce(0) { $0 + $1.length }
        if total <= Self.eagerReadLimit {
            do {
                var body = ByteBuffer()
                for segment in segments {
                    switch segment {
                    case .bytes(let buffer):
                        body.writeImmutableBuffer(buffer)
                    case .file(let start, let length):
                        let buffer = try await source.read(offset: start, length: Int(length))
                        if buffer.readableBytes < length {
                            throw SourceEndedEarly(expected: start + length, received: start + Int64(buffer.readableBytes))
                        }
                        // A single range needs no copy.
                        if segments.count == 1 { body = buffer } else { body.writeImmutableBuffer(buffer) }
                    }
                }
                try await source.close()
                return ResponseBody(byteBuffer: body)
            } catch {
                try? await source.close()
                throw error
            }
        }
        return ResponseBody(contentLength: Int(total)) { writer in
            do {
                for segment in segments {
                    switch segment {
                    case .bytes(let buffer):
                        try await writer.write(buffer)
                    case .file(let start, let length):
                        var offset = start
                        while offset < start + length {
                            let want = Int(min(Int64(Self.chunkSize), start + length - offset))
                            let buffer = try await source.read(offset: offset, length: want)
                            if buffer.readableBytes == 0 { throw SourceEndedEarly(expected: start + length, received: offset) }
                            offset += Int64(buffer.readableBytes)
                            try await writer.write(buffer)
                        }
                    }
                }
                try await source.close()
            } catch {
                try? await source.close()
                throw error
            }
            try await writer.finish(nil)
        }
    }

    static func newBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        return "wharf-" + String(generator.next() as UInt64, radix: 36) + String(generator.next() as UInt64, radix: 36)
    }
}

/// The source held fewer bytes than it declared: the response is cut off so the client notices.
struct SourceEndedEarly: Error {
    let expected: Int64
    let received: Int64
}
