/// The one error type of the upload pipeline: what about an upload's input was refused.
///
/// App maps each code to an HTTP status in one place; protocol code never picks statuses.
public struct UploadError: Error, CustomStringConvertible, Sendable {
    /// What was refused.
    public struct Code: Hashable, Sendable {
        private enum Value: Hashable, Sendable {
            case tooLarge
            case tooMany
            case invalidName
            case invalidTags
            case incompleteBody
            case malformedBody
            case missingFile
            case unsupportedType
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The body, a file or a field is larger than its limit.
        public static let tooLarge = Code(.tooLarge)
        /// More files or fields than the limit.
        public static let tooMany = Code(.tooMany)
        /// The file name is empty, too long, or could name a path.
        public static let invalidName = Code(.invalidName)
        /// A tag is empty, too long or holds a comma or a control character, or there are too many.
        public static let invalidTags = Code(.invalidTags)
        /// The body ended before the length it declared.
        public static let incompleteBody = Code(.incompleteBody)
        /// The body does not follow its format (e.g. multipart framing); the message names the problem.
        public static let malformedBody = Code(.malformedBody)
        /// A form upload carried no file.
        public static let missingFile = Code(.missingFile)
        /// The content's detected type is not on the allow-list.
        public static let unsupportedType = Code(.unsupportedType)
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

extension UploadError {
    /// A body that ended before the length it declared.
    static func incompleteBody(received: Int64, declared: Int64) -> UploadError {
        UploadError(.incompleteBody, "The body ended after \(received) of the \(declared) bytes it declared.")
    }
}
