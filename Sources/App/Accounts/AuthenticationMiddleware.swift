import Auth
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Routing
import Storage

/// Who makes a request, put into its context (the Swift form of FastAPI's
/// `Depends(get_current_user)`): the user of a valid bearer token, else of a live sign-in
/// session. A request signed in by its session cookie that changes state must come from this
/// site. With `required` on, a request signed in by neither answers 401.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let users: UserAccounts
    let tokens: BearerTokens
    let sessions: SessionPolicy
    let required: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let authorization = request.headers[.authorization] {
            context.identity = try await self.bearer(authorization)
        } else if let session = context.sessions.session {
            context.identity = try await self.signedIn(session, context: context)
            if context.identity != nil { try CrossSiteCheck.check(request) }
        }
        if self.required && context.identity == nil { throw Self.unauthenticated }
        return try await next(request, context)
    }

    /// The user of an `Authorization: Bearer` token; 401 for any other token or scheme.
    func bearer(_ authorization: String) async throws -> Principal {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", let claims = await self.tokens.verify(String(parts[1])),
            let user = try await self.user(claims.user), user.tokenGeneration == claims.generation
        else { throw Self.invalidToken }
        return Principal(user)
    }

    /// The user of a session, or `nil` (and the session ends) when the user is gone, changed their
    /// password, or the session passed its absolute lifetime. The idle expiry is pushed back at
    /// most once a minute, so a busy page does not write the database on every request.
    func signedIn(_ session: WharfSession, context: Context) async throws -> Principal? {
        let now = SessionPolicy.now()
        guard let user = try await self.user(session.user), user.tokenGeneration == session.generation,
            let remaining = self.sessions.remaining(signedInAt: session.signedInAt, now: now)
        else {
            context.sessions.clearSession()
            return nil
        }
        if now - session.refreshedAt >= 60 {
            context.sessions.withLockedSession { data in
                data?.refreshedAt = now
                data?.expiresIn = remaining
            }
        }
        return Principal(user)
    }

    func user(_ name: String) async throws -> UserRecord? {
        do {
            return try await self.users.user(named: name)
        } catch let error as StorageError where error.code == .notFound {
            return nil
        }
    }

    static let unauthenticated = HTTPException(.unauthorized, "Not authenticated", headers: [.wwwAuthenticate: "Bearer"])
    static let invalidToken = HTTPException(
        .unauthorized,
        "Could not validate credentials: the token is invalid, expired or revoked.",
        headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""]
    )
}

extension Principal {
    init(_ user: UserRecord) {
        self.init(name: user.name, isAdmin: user.role == .admin)
    }
}
