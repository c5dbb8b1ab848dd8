public import HTTPTypes

/// A request for a file that cannot be answered with its bytes: a failed precondition (412) or
/// no satisfiable range (416). App renders it, with `headers` (validators; `Content-Range: bytes */size`).
public struct FileResponseError: Error, CustomStringConvertible, Sendable {
    /// Why the bytes are not sent.
    public struct Code: Hashable, Sendable {
        private enum Value: Hashable, Sendable {
            case preconditionFailed
            case rangeNotSatisfiable
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// `If-Match` or `If-Unmodified-Since` did not hold (RFC 9110 §13.1.1, §13.1.4).
        public static let preconditionFailed = Code(.preconditionFailed)
        /// None of the requested ranges lies within the file (RFC 9110 §15.5.17).
        public static let rangeNotSatisfiable = Code(.rangeNotSatisfiable)
    }

    /// Why.
    public let code: Code
    /// A sentence for the client.
    public let message: String
    /// Headers the answer must carry.
    public let headers: HTTPFields

    /// 412, with `headers` (the current validators).
    public static func preconditionFailed(headers: HTTPFields) -> FileResponseError {
        FileResponseError(code: .preconditionFailed, message: "A precondition of the request failed.", headers: headers)
    }

    static func rangeNotSatisfiable(size: Int64, headers: HTTPFields) -> FileResponseError {
        var headers = headers
        headers[.contentRange] = "bytes */\(size)"
        return FileResponseError(
            code: .rangeNotSatisfiable,
            message: "None of the requested ranges is within the file's \(size) bytes.",
            headers: headers
        )
    }

    public var description: String { self.message }
}

extension FileResponseError {
    /// The same refusal with more headers (a static mount's `Cache-Control` and `Vary`).
    public func adding(_ more: HTTPFields) -> FileResponseError {
        var headers = self.headers
        for field in more { headers[field.name] = field.value }
        return FileResponseError(code: self.code, message: self.message, headers: headers)
    }
}
