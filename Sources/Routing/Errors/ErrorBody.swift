/// Every error answer of the API, as FastAPI's: `{"detail": "sentence"}`, or for a request that
/// failed validation `{"detail": [issue, ...]}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// What the client is told.
    public var detail: ErrorDetail

    /// An error body.
    public init(detail: ErrorDetail) {
        self.detail = detail
    }
}

/// The `detail` of an error answer: a sentence, or the issues of a 422.
public enum ErrorDetail: Codable, Sendable, Equatable, CustomStringConvertible {
    /// A sentence for people.
    case message(String)
    /// Every failed constraint of the request.
    case issues([ValidationIssue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let message = try? container.decode(String.self) {
            self = .message(message)
        } else {
            self = .issues(try container.decode([ValidationIssue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .message(let message): try container.encode(message)
        case .issues(let issues): try container.encode(issues)
        }
    }

    /// The sentence, or the issues' messages.
    public var description: String {
        switch self {
        case .message(let message): message
        case .issues(let issues): issues.map(\.message).joined(separator: "; ")
        }
    }
}
