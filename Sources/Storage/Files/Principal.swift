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
    /// Whether the principal is a user account, which must still exist when a file it creates is
    /// committed: a user deleted while their upload was under way would otherwise leave it to
    /// whoever is next given the name.
    public let isAccount: Bool

    /// A principal with this name.
    public init(name: String, isAdmin: Bool, quota: Int64? = nil, isAccount: Bool = false) {
        self.name = name
        self.isAdmin = isAdmin
        self.quota = quota
        self.isAccount = isAccount
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
