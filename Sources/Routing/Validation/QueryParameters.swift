public import Hummingbird

/// Typed, validated query parameters, as FastAPI's `Query(...)` declarations.
///
/// Each accessor declares a parameter with its constraints and returns its value; failures are
/// collected, and `validate()` throws them all at once as a 422 in FastAPI's shape.
public struct QueryParameters {
    private let values: [String: String]
    private var issues: [ValidationIssue] = []

    /// Reads the query string of a request.
    public init(_ request: Request) {
        self.values = QueryString.parse(request.uri.query.map { Substring($0) } ?? "")
    }

    /// An integer within `range`, or `defaultValue` when absent.
    public mutating func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) -> Int {
        self.optionalInteger(name, in: range) ?? defaultValue
    }

    /// An integer within `range`, or `nil` when absent (or refused).
    public mutating func optionalInteger(_ name: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = self.values[name] else { return nil }
        guard let value = Int(text) else {
            self.fail(name, text, "int_parsing", "Input should be a valid integer, unable to parse string as an integer")
            return nil
        }
        if let issue = ValidationIssue.outOfRange(at: ["query", .string(name)], input: .string(text), value: value, range: range) {
            self.issues.append(issue)
            return nil
        }
        return value
    }

    /// An optional string of at most `maxLength` characters.
    public mutating func string(_ name: String, maxLength: Int = 1024) -> String? {
        guard let text = self.values[name] else { return nil }
        guard text.count <= maxLength else {
            self.issues.append(.stringTooLong(at: ["query", .string(name)], input: .string(text), maxLength: maxLength))
            return nil
        }
        return text
    }

    /// A required string of at most `maxLength` characters; `""` after a failure.
    public mutating func requiredString(_ name: String, maxLength: Int = 1024) -> String {
        guard self.values[name] != nil else {
            self.issues.append(.missing(at: ["query", .string(name)]))
            return ""
        }
        return self.string(name, maxLength: maxLength) ?? ""
    }

    /// One of a fixed set of values, or `defaultValue` when absent.
    public mutating func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, default defaultValue: Choice) -> Choice
    where Choice.RawValue == String {
        self.optionalChoice(name, as: Choice.self) ?? defaultValue
    }

    /// One of a fixed set of values, or `nil` when absent (or refused).
    public mutating func optionalChoice<Choice: RawRepresentable & CaseIterable>(_ name: String, as: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        guard let text = self.values[name] else { return nil }
        guard let value = Choice(rawValue: text) else {
            let names = Choice.allCases.map { "'\($0.rawValue)'" }
            let expected = names.dropLast().joined(separator: ", ") + " or " + names.last!
            self.fail(name, text, "literal_error", "Input should be \(expected)", ["expected": .string(expected)])
            return nil
        }
        return value
    }

    /// Records that a parameter's value was refused by a rule of the caller's (pydantic's `value_error`).
    public mutating func reject(_ name: String, input: String, message: String) {
        self.fail(name, input, "value_error", "Value error, \(message)")
    }

    /// Throws every issue found so far as one 422.
    public func validate() throws {
        if !self.issues.isEmpty { throw RequestValidationError(self.issues) }
    }

    private mutating func fail(_ name: String, _ input: String, _ type: String, _ message: String, _ context: [String: JSONValue]? = nil) {
        self.issues.append(
            ValidationIssue(location: ["query", .string(name)], message: message, type: type, input: .string(input), context: context)
        )
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}
