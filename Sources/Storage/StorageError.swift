/// The one error type of the storage layer.
///
/// A code says what went wrong in terms a caller can act on; the message is for people; the cause
/// keeps the underlying system or database error for logs. No HTTP notions here: App maps codes to statuses.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, as a closed set a caller can switch over.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case notFound
            case alreadyExists
            case gone
            case noSpace
            case quotaExceeded
            case accountGone
            case inUse
            case locked
            case conflict
            case changed
            case checksumMismatch
            case invalidCursor
            case corrupt
            case io
            case database
            case busy
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The named file, blob or user does not exist.
        public static let notFound = Code(.notFound)
        /// A user of that name already exists.
        public static let alreadyExists = Code(.alreadyExists)
        /// A share link that existed has expired or served its most downloads.
        public static let gone = Code(.gone)
        /// The device or quota is full (ENOSPC, EDQUOT).
        public static let noSpace = Code(.noSpace)
        /// The user's files would hold more than their storage quota.
        public static let quotaExceeded = Code(.quotaExceeded)
        /// The user acting is no longer the account that asked: deleted (perhaps added again under
        /// the same name) while a request of theirs was under way.
        public static let accountGone = Code(.accountGone)
        /// What is to be removed is still needed (a user who still owns files).
        public static let inUse = Code(.inUse)
        /// Another request holds what this one needs (a resumable upload being appended to).
        public static let locked = Code(.locked)
        /// The request does not fit the state it would change (a resumable upload's offset).
        public static let conflict = Code(.conflict)
        /// What a request's precondition was checked against changed before its write committed
        /// (a content replaced meanwhile).
        public static let changed = Code(.changed)
        /// Bytes do not match the checksum that came with them.
        public static let checksumMismatch = Code(.checksumMismatch)
        /// A pagination cursor could not be decoded or does not fit the query.
        public static let invalidCursor = Code(.invalidCursor)
        /// Stored data does not match what the catalog says about it.
        public static let corrupt = Code(.corrupt)
        /// Any other failure of the file system.
        public static let io = Code(.io)
        /// Any other failure of the metadata database.
        public static let database = Code(.database)
        /// The metadata database was held by another process (a `wharf` command, a tool) for
        /// longer than a request waits for it: nothing was changed, and the request may be retried.
        public static let busy = Code(.busy)

        public var description: String { "\(self.value)" }
    }

    /// What went wrong.
    public let code: Code
    /// A sentence for people; never contains server paths.
    public let message: String
    /// The underlying error, for logs only.
    public let cause: (any Error)?

    /// Creates an error with a code, a message for people and an optional underlying cause.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(self.message) (\(self.code): \(cause))" }
        return self.message
    }
}
