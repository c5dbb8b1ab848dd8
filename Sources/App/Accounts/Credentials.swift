import Foundation
import Storage

/// How a request was signed in, kept so that an answer that lasts (an event stream) can tell when
/// that sign-in has ended since it began: a sign-out, a password change, the user deleted, the
/// token expired.
enum Credentials: Sendable {
    /// A bearer token of `user` at token generation `generation`, valid until `expires`.
    case bearer(user: String, generation: Int64, expires: Date)
    /// The sign-in session `id` of `user` at token generation `generation`.
    case session(id: String, user: String, generation: Int64)
}

/// Whether credentials still hold, as the authentication middleware would judge them now.
struct CredentialCheck: Sendable {
    let users: UserAccounts
    let sessionStore: SessionStore

    /// Whether `credentials` would still sign a request in; `false` too when that cannot be told
    /// (the database failed): a stream that ends is reopened, one that outlives its sign-in is not.
    func holds(_ credentials: Credentials) async -> Bool {
        switch credentials {
        case .bearer(let user, let generation, let expires):
            guard Date() < expires else { return false }
            return await self.generation(of: user) == generation
        case .session(let id, let user, let generation):
            guard (try? await self.sessionStore.get(id: id)) != nil else { return false }
            return await self.generation(of: user) == generation
        }
    }

    private func generation(of user: String) async -> Int64? {
        (try? await self.users.user(named: user))?.tokenGeneration
    }
}
