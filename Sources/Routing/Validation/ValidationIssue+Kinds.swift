/// The kinds of issue more than one validator reports, each written once (pydantic's wording).
extension ValidationIssue {
    /// A required value is absent.
    public static func missing(at location: [JSONValue], input: JSONValue? = nil) -> ValidationIssue {
        ValidationIssue(location: location, message: "Field required", type: "missing", input: input)
    }

    /// A body is not a JSON object (another JSON value, or text of another media type).
    static func notAnObject(input: JSONValue) -> ValidationIssue {
        ValidationIssue(
            location: ["body"],
            message: "Input should be a valid dictionary or object to extract fields from",
            type: "model_attributes_type",
            input: input
        )
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
            context: ["max_length": .integer(Int64(maxLength))]
        )
    }

    /// A number outside `range`; `nil` when it is inside.
    static func outOfRange(at location: [JSONValue], input: JSONValue, value: Int, range: ClosedRange<Int>) -> ValidationIssue? {
        if value < range.lowerBound {
            return ValidationIssue(
                location: location,
                message: "Input should be greater than or equal to \(range.lowerBound)",
                type: "greater_than_equal",
                input: input,
                context: ["ge": .integer(Int64(range.lowerBound))]
            )
        }
        if value > range.upperBound {
            return ValidationIssue(
                location: location,
                message: "Input should be less than or equal to \(range.upperBound)",
                type: "less_than_equal",
                input: input,
                context: ["le": .integer(Int64(range.upperBound))]
            )
        }
        return nil
    }
}
