/// The one error type of the upload pipeline: what about an upload's input was refused.
///
/// App maps each code to an HTTP status in one place; protocol code never picks statuses.
public struct UploadError: Error, CustomStringConvertible, Sendable {
    /// What was refused.
    public struct Code: Hashable, Sendable {
        private enum Value: Hashable, Sendable {
            case tooLarge
            case invalidName
            case incompleteBody
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The body is larger than the configured limit.
        public static let tooLarge = Code(.tooLarge)
        /// The file name is empty, too long, or could name a path.
        public static let invalidName = Code(.invalidName)
        /// The body ended before the length it declared.
        public static let incompleteBody = Code(.incompleteBody)
    }

    /// What was refused.
    public let code: Code
    /// A sentence for the client.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}
