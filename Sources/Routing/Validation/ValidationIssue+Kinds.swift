/// The kinds of issue more than one validator reports, each written once (pydantic's wording).
extension ValidationIssue {
    /// A required value is absent.
    public static func missing(at location: [JSONValue], input: JSONValue? = nil) -> ValidationIssue {
        ValidationIssue(location: location, message: "Field required", type: "missing", input: input)
    }

    /// A value is not a string.
    static func notAString(at location: [JSONValue], input: JSONValue) -> ValidationIssue {
        ValidationIssue(location: location, message: "Input should be a valid string", type: "string_type", input: input)
    }

    /// A string is longer than `maxLength` characters.
    static func stringTooLong(at location: [JSONValue], input: JSONValue, maxLength: Int) -> ValidationIssue {
        ValidationIssue(
            location: location,
            message: "String should have at most \(maxLength) characters",
            type: "string_too_long",
            input: input,
            context: ["max_length": .number(Double(maxLength))]
        )
    }
}
