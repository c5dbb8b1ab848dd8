public import HTTPTypes

extension HTTPField.Name {
    /// `X-Content-Type-Options`: `nosniff` on every file response, so browsers keep its type.
    public static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
