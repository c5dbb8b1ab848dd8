import Foundation
public import HTTPTypes
public import Hummingbird
public import NIOCore

/// The one JSON encoder of the API: compact, `/` unescaped, keys sorted (Foundation on Linux
/// otherwise writes them in hash order, so equal values would not give equal bytes).
///
/// Foundation's `JSONEncoder` over Codable types encodes a 1,000-record page in about 11 ms and a
/// record in 11 µs on the development VM, against 20 ms and 17 µs for the earlier hand-built
/// `JSONValue` trees (issue 8). The bodies sent most often (records and their pages) are
/// `JSONWritable` and write the same bytes themselves: that alone made a 1,000-record listing
/// about twice as fast.
public enum JSONCoding {
    /// Internal so that tests can hold the writers to it.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The one way encoding could fail (a number that JSON cannot hold) becomes a string.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }()

    /// The JSON text of a value.
    public static func encode(_ value: some Encodable) -> ByteBuffer {
        if let writable = value as? any JSONWritable {
            var output = JSONOutput()
            writable.writeJSON(to: &output)
            return output.buffer
        }
        do {
            return ByteBuffer(bytes: try self.encoder.encode(value))
        } catch {
            // The API's types hold only strings, numbers (non-finite ones become strings), lists and objects.
            preconditionFailure("An API body failed to encode: \(error)")
        }
    }
}

extension Response {
    /// A JSON response of an API body.
    public static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let body = JSONCoding.encode(value)
        var headers = headers
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
