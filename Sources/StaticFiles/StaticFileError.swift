/// The one error type of static mounts; App maps each code to an HTTP answer.
public struct StaticFileError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public struct Code: Hashable, Sendable {
        private enum Value: Hashable, Sendable {
            case malformedPath
            case unreadable
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The request path is not valid percent-encoded UTF-8.
        public static let malformedPath = Code(.malformedPath)
        /// A file or directory that was found could not be read.
        public static let unreadable = Code(.unreadable)
    }

    /// What went wrong.
    public let code: Code
    /// A sentence for the client.
    public let message: String

    static let malformedPath = StaticFileError(code: .malformedPath, message: "The path is not valid percent-encoded UTF-8.")
    static let unreadable = StaticFileError(code: .unreadable, message: "A file of the site could not be read.")

    public var description: String { self.message }
}
