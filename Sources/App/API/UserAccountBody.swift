import Storage
import TextBytes

/// A user as an admin sees them (`GET /api/users`): name, role, when added, the bytes their files
/// hold (each stored content once, as their quota counts them) and their own quota (`null`: the
/// server's default applies). Never the password's hash.
public struct UserAccountBody: Codable, Sendable, Equatable {
    /// The name users sign in with.
    public let name: String
    /// `admin` or `user`.
    public let role: String
    /// When the user was added, RFC 3339 in UTC.
    public let createdAt: String
    /// Bytes the user's files hold.
    public let used: Int64
    /// The user's own quota; `null`: the server's default.
    public let quota: Int64?

    enum CodingKeys: String, CodingKey {
        case name, role
        case createdAt = "created_at"
        case used, quota
    }

    init(_ user: UserRecord, used: Int64) {
        self.name = user.name
        self.role = user.role.rawValue
        self.createdAt = RFC3339.format(microseconds: user.createdAt)
        self.used = used
        self.quota = user.quota
    }

    /// Every key is written, `quota` as `null` when the default applies.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.role, forKey: .role)
        try container.encode(self.createdAt, forKey: .createdAt)
        try container.encode(self.used, forKey: .used)
        try container.encode(self.quota, forKey: .quota)
    }
}
