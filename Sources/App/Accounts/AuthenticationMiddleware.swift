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
    let sessionStore: SessionStore
    /// The quota of users without one of their own (`nil`: none).
    let defaultQuota: Int64?
    let required: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let authorization = request.headers[.authorization] {
            (context.identity, context.credentials) = try await self.bearer(authorization)
        } else if let session = context.sessions.session {
            context.identity = try await self.signedIn(session, request: request, context: context)
            if context.identity != nil {
                try CrossSiteCheck.check(request)
                if let id = request.cookies[AccountsController.sessionCookie]?.value {
                    context.credentials = .session(id: String(id), user: session.user, generation: session.generation)
                }
            }
        }
        if self.required && context.identity == nil { throw Self.unauthenticated }
        return try await next(request, context)
    }

    /// The user of an `Authorization: Bearer` token, and the token's claims; 401 for any other
    /// token or scheme.
    func bearer(_ authorization: String) async throws -> (Principal, Credentials) {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", let claims = await self.tokens.verify(String(parts[1])),
            let user = try await self.user(claims.user), user.tokenGeneration == claims.generation
        else { throw Self.invalidToken }
        return (Principal(user, defaultQuota: self.defaultQuota), .bearer(user: claims.user, generation: claims.generation, expires: claims.expires))
    }

    /// The user of a session, or `nil` (and the session ends) when the user is gone, changed their
    /// password, or the session passed its absolute lifetime. The idle expiry is pushed back at
    /// most once a minute, so a busy page does not write the database on every request.
    func signedIn(_ session: WharfSession, request: Request, context: Context) async throws -> Principal? {
        let now = SessionPolicy.now()
        guard let user = try await self.user(session.user), user.tokenGeneration == session.generation,
            let remaining = self.sessions.remaining(signedInAt: session.signedInAt, now: now)
        else {
            // Ended here, on the server: a 401 that follows leaves the session middleware no turn.
            if let id = request.cookies[AccountsController.sessionCookie]?.value { try await self.sessionStore.remove(id: String(id)) }
            context.sessions.clearSession()
            return nil
        }
        if now - session.refreshedAt >= 60 {
            context.sessions.withLockedSession { data in
                data?.refreshedAt = now
                data?.expiresIn = remaining
            }
        }
        return Principal(user, defaultQuota: self.defaultQuota)
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
    init(_ user: UserRecord, defaultQuota: Int64?) {
        self.init(
            name: user.name,
            isAdmin: user.role == .admin,
            quota: user.quota ?? defaultQuota,
            account: Account(createdAt: user.createdAt, defaultQuota: defaultQuota)
        )
    }
}
