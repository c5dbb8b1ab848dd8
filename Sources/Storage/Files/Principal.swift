/// Who acts on the files: every operation of `FilesService` names one, and the service decides
/// there, and only there, what the principal may see and change: an admin every file, anyone
/// else their own. A file of someone else's is answered as not found, so ids cannot be probed.
public struct Principal: Sendable, Hashable, CustomStringConvertible {
    /// The user's name; the owner of the files the principal creates.
    public let name: String
    /// Whether the principal sees and changes every file.
    public let isAdmin: Bool
    /// Most bytes the principal's own files may hold, each stored content counted once; `nil`:
    /// no limit.
    public let quota: Int64?
    /// The user account the principal is, as it was when the request was authenticated; `nil`
    /// for a principal that is not one (`local`).
    public let account: Account?

    /// A user account, told apart from a later one given the same name.
    public struct Account: Sendable, Hashable {
        /// When the account was made (microseconds since 1970): a user deleted and made again
        /// under the same name is another account, and inherits nothing the first left unfinished.
        public let createdAt: Int64
        /// The quota of accounts without one of their own: a commit applies the account's quota
        /// as it is then, not as it was when the request began.
        public let defaultQuota: Int64?

        /// An account made at `createdAt`.
        public init(createdAt: Int64, defaultQuota: Int64?) {
            self.createdAt = createdAt
            self.defaultQuota = defaultQuota
        }
    }

    /// A principal with this name.
    public init(name: String, isAdmin: Bool, quota: Int64? = nil, account: Account? = nil) {
        self.name = name
        self.isAdmin = isAdmin
        self.quota = quota
        self.account = account
    }

    /// Whoever reaches the server while sign-in does not exist yet: the first admin.
    public static let local = Principal(name: "admin", isAdmin: true)

    /// The owner a write is limited to: `nil` (any) for an admin.
    var ownerScope: String? { self.isAdmin ? nil : self.name }

    /// Whether the principal may see a file.
    func mayAccess(_ record: FileRecord) -> Bool {
        self.isAdmin || record.owner == self.name
    }

    public var description: String { self.name }
}
