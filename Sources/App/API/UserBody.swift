import Storage

/// The signed-in user as `GET /api/me` shows them.
public struct UserBody: Codable, Sendable, Equatable {
    /// The user's name.
    public let name: String
    /// `admin` or `user`.
    public let role: String

    init(_ principal: Principal) {
        self.name = principal.name
        self.role = principal.isAdmin ? "admin" : "user"
    }
}
