public import Hummingbird
public import NIOCore

/// A validated JSON object body, as a FastAPI body model: each accessor declares a field with its
/// constraints; failures are collected and `validate()` throws them all as one 422.
public struct JSONBody {
    /// The largest JSON body read, in bytes.
    public static let maxSize = 1 << 20

    private let fields: [String: JSONValue]
    private var issues: [ValidationIssue] = []

    /// Reads and parses a request's body as a JSON object.
    /// With `emptyIsObject`, an empty body reads as `{}` (a body whose every field is optional).
    /// As FastAPI, a body is parsed as JSON without a `Content-Type` or with a JSON one
    /// (`application/json`, `application/*+json`); in any other it is text, not an object.
    public static func read(_ request: Request, emptyIsObject: Bool = false) async throws -> JSONBody {
        let buffer = try await request.limitedBody(
            upTo: Self.maxSize,
            tooLarge: HTTPException(.contentTooLarge, "The JSON body is larger than \(Self.maxSize) bytes.")
        )
        if emptyIsObject && buffer.readableBytes == 0 { return try JSONBody(parsing: ByteBuffer(string: "{}")) }
        if buffer.readableBytes > 0, let type = request.headers[.contentType], !Self.isJSON(type) {
            throw RequestValidationError([.notAnObject(input: .string(String(buffer: buffer)))])
        }
        return try JSONBody(parsing: buffer)
    }

    /// `application/json` or a `+json` type of `application`, parameters aside.
    static func isJSON(_ contentType: String) -> Bool {
        let type = contentType.prefix { $0 != ";" }.filter { $0 != " " && $0 != "\t" }.lowercased()
        guard type.hasPrefix("application/") else { return false }
        return type == "application/json" || type.hasSuffix("+json")
    }

    /// Parses a JSON object.
    public init(parsing buffer: ByteBuffer) throws {
        if buffer.readableBytes == 0 {
            throw RequestValidationError([.missing(at: ["body"])])
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: buffer)
        } catch {
            throw RequestValidationError([
                ValidationIssue(
                    location: ["body"],
                    message: "JSON decode error",
                    type: "json_invalid",
                    input: .object([:]),
                    context: ["error": .string(Self.reason(error))]
                )
            ])
        }
        guard case .object(let fields) = value else { throw RequestValidationError([.notAnObject(input: value)]) }
        self.fields = fields
    }

    /// A string field of at most `maxLength` characters; `nil` when absent (and an issue when required).
    public mutating func string(_ name: String, required: Bool, maxLength: Int) -> String? {
        guard let value = self.present(name, required: required) else { return nil }
        guard case .string(let text) = value else {
            self.issues.append(.notAString(at: ["body", .string(name)], input: value))
            return nil
        }
        guard text.count <= maxLength else {
            self.issues.append(.stringTooLong(at: ["body", .string(name)], input: value, maxLength: maxLength))
            return nil
        }
        return text
    }

    /// A whole number within `range`; `nil` when absent (and an issue when required).
    public mutating func integer(_ name: String, required: Bool, in range: ClosedRange<Int>) -> Int? {
        guard let value = self.present(name, required: required) else { return nil }
        guard let whole = Self.wholeNumber(value) else {
            self.issues.append(
                ValidationIssue(location: ["body", .string(name)], message: "Input should be a valid integer", type: "int_type", input: value)
            )
            return nil
        }
        if let issue = ValidationIssue.outOfRange(at: ["body", .string(name)], input: value, value: whole, range: range) {
            self.issues.append(issue)
            return nil
        }
        return whole
    }

    /// An integer, or a number with no fraction (`3600.0`), as pydantic takes either for an `int`.
    private static func wholeNumber(_ value: JSONValue) -> Int? {
        switch value {
        case .integer(let integer): Int(exactly: integer)
        case .number(let number): Int(exactly: number)
        default: nil
        }
    }

    /// A list of strings, each of 1...`maxLength` characters, at most `maxCount` of them.
    public mutating func strings(_ name: String, required: Bool, maxCount: Int, maxLength: Int) -> [String]? {
        guard let value = self.present(name, required: required) else { return nil }
        guard case .array(let items) = value else {
            self.fail([.string(name)], value, "list_type", "Input should be a valid list")
            return nil
        }
        guard items.count <= maxCount else {
            self.fail([.string(name)], value, "too_long", "List should have at most \(maxCount) items", ["max_length": .integer(Int64(maxCount))])
            return nil
        }
        var strings: [String] = []
        var valid = true
        for (index, item) in items.enumerated() {
            let location: [JSONValue] = [.string(name), .integer(Int64(index))]
            guard case .string(let text) = item else {
                self.issues.append(.notAString(at: ["body"] + location, input: item))
                valid = false
                continue
            }
            if text.isEmpty {
                self.fail(location, item, "string_too_short", "String should have at least 1 character", ["min_length": .integer(1)])
                valid = false
                continue
            }
            if text.count > maxLength {
                self.issues.append(.stringTooLong(at: ["body"] + location, input: item, maxLength: maxLength))
                valid = false
                continue
            }
            strings.append(text)
        }
        return valid ? strings : nil
    }

    /// Whether the body has the field `name`, `null` included (a change that clears a value).
    public func has(_ name: String) -> Bool {
        self.fields[name] != nil
    }

    /// Whether the field `name` is `null`.
    public func isNull(_ name: String) -> Bool {
        self.fields[name] == .null
    }

    /// Throws every issue found so far as one 422.
    public func validate() throws {
        if !self.issues.isEmpty { throw RequestValidationError(self.issues) }
    }

    private mutating func present(_ name: String, required: Bool) -> JSONValue? {
        guard let value = self.fields[name] else {
            if required {
                self.issues.append(.missing(at: ["body", .string(name)], input: .object(self.fields)))
            }
            return nil
        }
        return value
    }

    private mutating func fail(_ location: [JSONValue], _ input: JSONValue, _ type: String, _ message: String, _ context: [String: JSONValue]? = nil)
    {
        self.issues.append(ValidationIssue(location: ["body"] + location, message: message, type: type, input: input, context: context))
    }

    private static func reason(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError, case .dataCorrupted(let context) = decoding else { return "Invalid JSON" }
        return context.debugDescription
    }
}
