import Foundation
import Hummingbird
import Routing
import Storage

/// Users managed by an admin over the API, as `wharf user` manages them on the machine:
/// `GET /api/users`, `POST /api/users`, `PATCH /api/users/{name}` (quota, password, role) and
/// `DELETE /api/users/{name}?transfer_to=`. Anyone else is refused with 403.
struct UsersController: Sendable {
    let accounts: Accounts
    let users: UserAccounts
    /// Wakes the event streams, which look again at the files they follow and at the sign-in they
    /// were opened with: after a change that ends a user's sign-ins or gives files to another.
    let wakeStreams: @Sendable () -> Void

    static let maxPasswordLength = 1024

    func register(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/api", table: table)
            .get("users", self.list)
            .post("users", self.add)
            .patch("users/{name}", self.change)
            .delete("users/{name}", self.remove)
    }

    /// The admin making the request; 403 for anyone else.
    static func admin(_ context: AppRequestContext) throws -> Principal {
        let principal = try context.principal
        guard principal.isAdmin else { throw HTTPException(.forbidden, "Only admins manage users.") }
        return principal
    }

    /// `GET /api/users`: every user, by name.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try Self.admin(context)
        var bodies: [UserAccountBody] = []
        for user in try await self.users.list() {
            bodies.append(UserAccountBody(user, used: try await self.users.usage(of: user.name)))
        }
        return .json(bodies)
    }

    /// `POST /api/users`: `{"name", "password", "role" ("user" or "admin"; "user" when absent),
    /// "quota" (bytes; absent or `null`: the server's default)}`. 201 with the user; 409 when the
    /// name is taken, 400 for a name or password Wharf does not take.
    @Sendable func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try Self.admin(context)
        var body = try await JSONBody.read(request)
        let name = body.string("name", required: true, maxLength: 64) ?? ""
        let password = body.string("password", required: true, maxLength: Self.maxPasswordLength) ?? ""
        let roleName = body.string("role", required: false, maxLength: 16)
        let quota = body.isNull("quota") ? nil : body.integer("quota", required: false, in: 0...Int.max)
        try body.validate()
        let role = try Self.role(named: roleName) ?? .user
        let user = try await Self.accountRules {
            try await self.accounts.add(name: name, password: password, isAdmin: role == .admin, quota: quota.map(Int64.init))
        }
        return .json(UserAccountBody(user, used: 0), status: .created, headers: [.location: "/api/users/\(name)"])
    }

    /// `PATCH /api/users/{name}`: any of `quota` (bytes, or `null` for the server's default),
    /// `password` and `role` (either of which ends every session and bearer token of the user;
    /// not one's own role, 400; never the last admin's, 409). The user as changed.
    @Sendable func change(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try Self.admin(context)
        let name = try context.parameters.decoded("name")
        var body = try await JSONBody.read(request, emptyIsObject: true)
        let changesQuota = body.has("quota")
        let quota = body.isNull("quota") ? nil : body.integer("quota", required: false, in: 0...Int.max)
        let password = body.string("password", required: false, maxLength: Self.maxPasswordLength)
        let roleName = body.string("role", required: false, maxLength: 16)
        try body.validate()
        let role = try Self.role(named: roleName)
        if role != nil && name == admin.name {
            throw HTTPException(.badRequest, "An admin does not change their own role here: another admin, or `wharf user role`, may.")
        }
        _ = try await self.users.user(named: name)
        if let password { try await Self.accountRules { try await self.accounts.changePassword(of: name, to: password) } }
        if changesQuota { try await self.accounts.setQuota(of: name, to: quota.map(Int64.init)) }
        if let role { try await self.accounts.setRole(of: name, isAdmin: role == .admin) }
        if password != nil || role != nil { self.wakeStreams() }
        let user = try await self.users.user(named: name)
        return .json(UserAccountBody(user, used: try await self.users.usage(of: name)))
    }

    /// `DELETE /api/users/{name}[?transfer_to=NAME]`: 204. A user who owns files is deleted only
    /// with `transfer_to`, whose user then owns them (409 otherwise), so that a later user of the
    /// same name inherits nothing; an admin does not delete themselves here (400).
    @Sendable func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try Self.admin(context)
        let name = try context.parameters.decoded("name")
        var query = QueryParameters(request)
        let heir = query.string("transfer_to", maxLength: 64)
        try query.validate()
        if let heir, heir == name {
            throw HTTPException(.badRequest, "The files of '\(name)' cannot go to '\(name)', who is being deleted: name another user.")
        }
        guard name != admin.name else {
            throw HTTPException(.badRequest, "An admin does not delete their own account here: another admin, or `wharf user delete`, may.")
        }
        do {
            try await self.accounts.delete(named: name, transferringFilesTo: heir)
        } catch let error as StorageError where error.code == .inUse {
            throw HTTPException(.conflict, "'\(name)' still owns files: name a user to give them to (?transfer_to=NAME), or delete them first.")
        }
        self.wakeStreams()
        return Response(status: .noContent)
    }

    /// The role a body names (`nil` when it names none); 400 for any other word.
    static func role(named name: String?) throws -> UserRole? {
        guard let name else { return nil }
        guard let role = UserRole(rawValue: name) else { throw HTTPException(.badRequest, "The role is 'user' or 'admin'.") }
        return role
    }

    /// Runs `body`, answering a name or password Wharf does not take with 400 and its reason.
    @discardableResult
    static func accountRules<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch let error as AccountError {
            throw HTTPException(.badRequest, error.message)
        }
    }
}
