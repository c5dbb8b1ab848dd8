import Storage

/// The signed-in user as `GET /api/me` shows them, with what their files hold against their
/// quota (as a file-sharing site shows "1.2 GB of 10 GB used").
public struct UserBody: Codable, Sendable, Equatable {
    /// The user's name.
    public let name: String
    /// `admin` or `user`.
    public let role: String
    /// Bytes the user's own files hold, each stored content counted once, as the quota counts them.
    public let used: Int64
    /// Bytes the user's unfinished resumable uploads hold or will hold (their declared lengths),
    /// which count against the quota too.
    public let pending: Int64
    /// Most bytes the user's files may hold (their own quota, else the server's default); `null`:
    /// no limit.
    public let quota: Int64?

    init(_ principal: Principal, used: Int64, pending: Int64) {
        self.name = principal.name
        self.role = principal.isAdmin ? "admin" : "user"
        self.used = used
        self.pending = pending
        self.quota = principal.quota
    }

    /// Every key is written, `quota` as `null` when there is no limit.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.role, forKey: .role)
        try container.encode(self.used, forKey: .used)
        try container.encode(self.pending, forKey: .pending)
        try container.encode(self.quota, forKey: .quota)
    }
}
