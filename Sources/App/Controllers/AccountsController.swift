import Auth
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Routing
import Storage

/// Signing in and out: the form login with its session cookie (`/login`, `/logout`), bearer
/// tokens for scripts (`POST /api/token`, OAuth2's password form), who is signed in (`GET
/// /api/me`, with what their files hold), and their own password change (`POST /api/me/password`).
struct AccountsController {
    let signIn: SignIn
    let accounts: Accounts
    let tokens: BearerTokens
    let sessions: SessionPolicy
    let sessionStore: SessionStore
    let page: LoginPage
    let files: FilesService
    let uploads: ResumableUploads
    /// Wakes the event streams, so that those of a sign-in that ended here end at once.
    let wakeStreams: @Sendable () -> Void

    static let sessionCookie = "wharf_session"

    static let incorrect = "Incorrect username or password."

    /// Routes that need no user: the token endpoint and the sign-in page.
    func registerPublic(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/api", table: table).post("token", self.token)
        APIRouter(router, prefix: "", table: table).get("login", self.loginPage)
    }

    /// Routes behind the session middleware: signing in and out.
    func registerSessions(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "", table: table)
            .post("login", self.login)
            .post("logout", self.logout)
    }

    /// Routes behind authentication.
    func registerSignedIn(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/api", table: table)
            .get("me", self.me)
            .post("me/password", self.changePassword)
    }

    /// `POST /api/token`: `username`, `password` and `grant_type=password` as a form.
    @Sendable func token(_ request: Request, context: AppRequestContext) async throws -> Response {
        var form = try await FormBody.read(request)
        let name = form.requiredString("username", maxLength: 64)
        let password = form.requiredString("password", maxLength: 1024)
        if let grant = form.string("grant_type", maxLength: 64), grant != "password" {
            throw HTTPException(.badRequest, "Unsupported grant_type '\(grant)': only 'password' is.")
        }
        try form.validate()
        let user: UserRecord
        do {
            user = try await self.signIn.attempt(name: name, password: password, address: context.clientAddress)
        } catch SignIn.Failure.incorrect {
            throw HTTPException(.unauthorized, Self.incorrect, headers: [.wwwAuthenticate: "Bearer"])
        } catch SignIn.Failure.throttled(let wait) {
            throw Self.tooManyAttempts(wait)
        }
        let token = try await self.tokens.issue(user: user.name, generation: user.tokenGeneration)
        let body = TokenBody(access_token: token, token_type: "bearer", expires_in: Int(self.tokens.lifetime.components.seconds))
        return .json(body, headers: [.cacheControl: "no-store"])
    }

    /// `GET /login`: the sign-in page, which sends the browser to `next` after signing in.
    @Sendable func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        var query = QueryParameters(request)
        let next = query.string("next", maxLength: 2048)
        return try self.page.render(next: LoginPage.localTarget(next))
    }

    /// `POST /login`: the sign-in form. A success starts a new session (never the one the request
    /// came with, so a session id planted before signing in is worth nothing) and answers 303 to
    /// `next`; a failure answers 401 with the page and a message, or JSON to a client that asks.
    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        try CrossSiteCheck.check(request)
        var form = try await FormBody.read(request)
        let name = form.requiredString("username", maxLength: 64)
        let password = form.requiredString("password", maxLength: 1024)
        let next = LoginPage.localTarget(form.string("next", maxLength: 2048))
        try form.validate()
        let wantsJSON = Self.wantsJSON(request)
        let user: UserRecord
        do {
            user = try await self.signIn.attempt(name: name, password: password, address: context.clientAddress)
        } catch SignIn.Failure.incorrect {
            if wantsJSON { throw HTTPException(.unauthorized, Self.incorrect) }
            return try self.page.render(status: .unauthorized, message: Self.incorrect, next: next, username: name)
        } catch SignIn.Failure.throttled(let wait) {
            let refusal = Self.tooManyAttempts(wait)
            if wantsJSON { throw refusal }
            return try self.page.render(
                status: .tooManyRequests,
                message: refusal.detail.description,
                next: next,
                username: name,
                headers: refusal.headers
            )
        }
        // The session the request came with, if any, ends here: whoever planted or shared it does
        // not inherit this sign-in.
        if let previous = request.cookies[Self.sessionCookie]?.value {
            try await self.sessionStore.remove(id: String(previous))
        }
        let now = SessionPolicy.now()
        context.sessions.createSession(
            WharfSession(user: user.name, generation: user.tokenGeneration, signedInAt: now, refreshedAt: now),
            expiresIn: self.sessions.remaining(signedInAt: now, now: now)
        )
        return Response(status: .seeOther, headers: [.location: next, .contentLength: "0", .cacheControl: "no-store"])
    }

    /// `POST /logout`: ends the session on the server and clears the cookie; 303 to the sign-in page.
    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        try CrossSiteCheck.check(request)
        // Ended in the store now, not after the answer, so that its streams find it gone.
        if let id = request.cookies[Self.sessionCookie]?.value { try await self.sessionStore.remove(id: String(id)) }
        context.sessions.clearSession()
        self.wakeStreams()
        return Response(status: .seeOther, headers: [.location: "/login", .contentLength: "0", .cacheControl: "no-store"])
    }

    /// `GET /api/me`: who is signed in, and what their files and unfinished uploads hold against
    /// their quota.
    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal
        let used = try await self.files.usage(of: principal)
        return .json(UserBody(principal, used: used, pending: try await self.uploads.pendingBytes(of: principal)))
    }

    /// `POST /api/me/password`: `{"current_password", "new_password"}`. The current password is
    /// checked as a sign-in checks it (and throttled with sign-ins); the change ends every session
    /// and bearer token of the user, but a browser that asked stays signed in with a new session.
    /// 204.
    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal
        var body = try await JSONBody.read(request)
        // Both required: `validate` refuses the body when either is missing.
        let current = body.string("current_password", required: true, maxLength: 1024) ?? ""
        let new = body.string("new_password", required: true, maxLength: 1024) ?? ""
        try body.validate()
        do {
            _ = try Accounts.validate(password: new)
        } catch let error as AccountError {
            throw HTTPException(.badRequest, "The new password is not accepted: \(error.message)")
        }
        do {
            _ = try await self.signIn.attempt(name: principal.name, password: current, address: context.clientAddress)
        } catch SignIn.Failure.incorrect {
            throw HTTPException(.badRequest, "The current password is incorrect.")
        } catch SignIn.Failure.throttled(let wait) {
            throw Self.tooManyAttempts(wait)
        }
        try await self.accounts.changePassword(of: principal.name, to: new)
        self.wakeStreams()
        // Signed in by a session (a bearer token wins over one): this browser gets a new session
        // of the new generation; the old one is gone with every other.
        if request.headers[.authorization] == nil, context.sessions.session != nil {
            let user = try await self.signIn.users.user(named: principal.name)
            let now = SessionPolicy.now()
            context.sessions.createSession(
                WharfSession(user: user.name, generation: user.tokenGeneration, signedInAt: now, refreshedAt: now),
                expiresIn: self.sessions.remaining(signedInAt: now, now: now)
            )
        }
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    static func tooManyAttempts(_ wait: Duration) -> HTTPException {
        let seconds = max(1, wait.components.seconds + (wait.components.attoseconds > 0 ? 1 : 0))
        return HTTPException(
            .tooManyRequests,
            "Too many failed sign-ins: try again in \(seconds) seconds.",
            headers: [.retryAfter: String(seconds)]
        )
    }

    /// Whether the client asks for JSON rather than a page.
    static func wantsJSON(_ request: Request) -> Bool {
        let accept = request.headers[.accept]?.lowercased() ?? ""
        return accept.contains("application/json") && !accept.contains("text/html")
    }
}
