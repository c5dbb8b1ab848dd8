import HTTPTypes

/// One failed constraint of a request, in FastAPI's shape:
/// `{"type": "...", "loc": ["query", "limit"], "msg": "...", "input": ..., "ctx": {...}}`.
public struct ValidationIssue: Codable, Sendable, Equatable {
    /// Where the value was: the source (`query`, `path`, `header`, `body`) then field names or indexes.
    public var location: [JSONValue]
    /// What was expected, for people.
    public var message: String
    /// A stable machine name of the constraint (pydantic's: `missing`, `int_parsing`, ...).
    public var type: String
    /// The value that was refused, if there was one.
    public var input: JSONValue?
    /// The constraint's parameters, e.g. `{"le": 1000}`.
    public var context: [String: JSONValue]?

    /// Creates an issue.
    public init(location: [JSONValue], message: String, type: String, input: JSONValue? = nil, context: [String: JSONValue]? = nil) {
        self.location = location
        self.message = message
        self.type = type
        self.input = input
        self.context = context
    }

    enum CodingKeys: String, CodingKey {
        case type
        case location = "loc"
        case message = "msg"
        case input
        case context = "ctx"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.type = try container.decode(String.self, forKey: .type)
        self.location = try container.decode([JSONValue].self, forKey: .location)
        self.message = try container.decode(String.self, forKey: .message)
        self.input = try container.decodeIfPresent(JSONValue.self, forKey: .input)
        self.context = try container.decodeIfPresent([String: JSONValue].self, forKey: .context)
    }

    /// FastAPI's JSON object: `input` always present (null when there was none), `ctx` only when set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.type, forKey: .type)
        try container.encode(self.location, forKey: .location)
        try container.encode(self.message, forKey: .message)
        try container.encode(self.input ?? .null, forKey: .input)
        try container.encodeIfPresent(self.context, forKey: .context)
    }
}

/// A request that failed validation: answered 422 with every issue found, as FastAPI does.
public struct RequestValidationError: Error, CustomStringConvertible {
    /// Every failed constraint, in the order checked.
    public let issues: [ValidationIssue]

    /// Creates the error.
    public init(_ issues: [ValidationIssue]) {
        self.issues = issues
    }

    /// The HTTP answer.
    public var exception: HTTPException {
        HTTPException(.unprocessableContent, detail: .issues(self.issues))
    }

    public var description: String { self.issues.map(\.message).joined(separator: "; ") }
}
