/// What a sign-in session holds, kept server-side (the cookie carries only its random id).
public struct WharfSession: Codable, Sendable {
    /// The signed-in user.
    var user: String
    /// The user's token generation at sign-in: a change of password raises it and ends the session.
    var generation: Int64
    /// When the person signed in, in seconds since 1970: the absolute expiry counts from here.
    var signedInAt: Int64
    /// When the idle expiry was last pushed back, in seconds since 1970.
    var refreshedAt: Int64
}
