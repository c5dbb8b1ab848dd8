import HTTPTypes

/// One failed constraint of a request, in FastAPI's shape:
/// `{"type": "...", "loc": ["query", "limit"], "msg": "...", "input": ..., "ctx": {...}}`.
public struct ValidationIssue: Sendable, Equatable {
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

    /// The issue as FastAPI's JSON object.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["type": .string(self.type), "loc": .array(self.location), "msg": .string(self.message)]
        object["input"] = self.input ?? .null
        if let context = self.context { object["ctx"] = .object(context) }
        return .object(object)
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
        HTTPException(.unprocessableContent, detail: .array(self.issues.map(\.json)))
    }

    public var description: String { self.issues.map(\.message).joined(separator: "; ") }
}
