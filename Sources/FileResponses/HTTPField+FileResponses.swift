public import HTTPTypes

extension HTTPField.Name {
    /// `X-Content-Type-Options`: `nosniff` on every file response, so browsers keep its type.
    public static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}

extension HTTPFields {
    /// The value of the field `name`, as the subscript gives it (the values of a field sent more
    /// than once joined), without the new string the subscript joins even a single value into:
    /// every range request looks up its `Range` and preconditions.
    public func value(of name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }
            found = field.value
        }
        return found
    }
}
