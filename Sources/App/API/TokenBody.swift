/// `POST /api/token`'s answer, as OAuth2's password flow (and FastAPI's tutorial) has it.
public struct TokenBody: Codable, Sendable {
    /// The bearer token: a JWT.
    public let access_token: String
    /// Always `bearer`.
    public let token_type: String
    /// Seconds until the token expires.
    public let expires_in: Int
}
