import HTTPTypes
public import Hummingbird
import NIOCore

/// Gzips the API's JSON responses of 1 KiB to 8 MiB when the request accepts gzip, as Starlette's
/// GZipMiddleware does; every JSON response then carries `Vary: Accept-Encoding`.
///
/// File responses (they carry `Accept-Ranges`) are left alone: they negotiate their own codings.
/// Responses with a Content-Encoding, `Cache-Control: no-transform`, no body (204, 304) or a
/// partial one (206) are sent as they are. A HEAD response has no body to measure, so it keeps
/// the identity headers.
public struct JSONCompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard Self.isJSON(response.headers[.contentType]), response.headers[.acceptRanges] == nil,
            response.headers[.contentEncoding] == nil, ![.noContent, .notModified, .partialContent].contains(response.status),
            response.headers[.cacheControl]?.contains("no-transform") != true
        else { return response }
        response.headers.append(HTTPField(name: .vary, value: "Accept-Encoding"))
        guard request.method != .head, let length = response.body.contentLength,
            (GzipEncoder.minimumSize...GzipEncoder.maximumSize).contains(length),
            ContentCoding.negotiate(request.headers[.acceptEncoding], available: [.gzip]) != nil
        else { return response }
        let collector = BodyCollector(capacity: length)
        try await response.body.write(collector)
        let compressed = try GzipEncoder.compress(collector.content)
        response.headers[.contentEncoding] = "gzip"
        response.headers[.contentLength] = String(compressed.readableBytes)
        response.body = ResponseBody(byteBuffer: compressed)
        return response
    }

    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.prefix { $0 != ";" }.lowercased()
        return mediaType == "application/json" || mediaType.hasSuffix("+json")
    }
}
