public import Foundation
import JWTKit
import Synchronization

/// Bearer tokens for scripts and API clients: JWTs signed with HS256 (jwt-kit), carrying the
/// user (`sub`), when they were issued (`iat`), when they end (`exp`), and the user's token
/// generation (`gen`), which a change of password raises so that earlier tokens stop working.
public struct BearerTokens: Sendable {
    let keys: JWTKeyCollection
    private let verified = VerifiedTokens()
    /// How long a token is valid.
    public let lifetime: Duration

    /// Tokens signed with `secret` (at least 32 bytes), valid for `lifetime`.
    public init(secret: [UInt8], lifetime: Duration) async {
        self.keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.lifetime = lifetime
    }

    /// A new token for `user` at token generation `generation`.
    public func issue(user: String, generation: Int64, now: Date = Date()) async throws -> String {
        // Whole seconds, as most JWT libraries write NumericDate.
        let now = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let claims = AccessClaims(
            sub: SubjectClaim(value: user),
            exp: ExpirationClaim(value: now.addingTimeInterval(TimeInterval(self.lifetime.components.seconds))),
            iat: IssuedAtClaim(value: now),
            gen: generation
        )
        return try await self.keys.sign(claims, header: ["typ": "JWT"])
    }

    /// The user and token generation a token was issued for, and when it ends, or `nil` when the
    /// token is not one of this server's, was changed, has expired or is unsigned (`alg: none`).
    /// A token verified before is not parsed again (a client sends the same token with every
    /// request): its claims are remembered until it expires.
    public func verify(_ token: String) async -> (user: String, generation: Int64, expires: Date)? {
        if let known = self.verified.claims(of: token) { return (known.user, known.generation, known.expires) }
        guard let claims = try? await self.keys.verify(token, as: AccessClaims.self) else { return nil }
        self.verified.remember(token, VerifiedTokens.Claims(user: claims.sub.value, generation: claims.gen, expires: claims.exp.value))
        return (claims.sub.value, claims.gen, claims.exp.value)
    }

    /// A new random secret for signing tokens, as a server without `--jwt-secret` keeps one.
    public static func randomSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

/// Tokens this server verified, with their claims, until they expire; at most `capacity` (all
/// forgotten when full: verifying again is only slower).
final class VerifiedTokens: Sendable {
    struct Claims {
        let user: String
        let generation: Int64
        let expires: Date
    }

    static let capacity = 10_000
    private let table = Mutex<[String: Claims]>([:])

    func claims(of token: String) -> Claims? {
        guard let claims = self.table.withLock({ $0[token] }), claims.expires > Date() else { return nil }
        return claims
    }

    func remember(_ token: String, _ claims: Claims) {
        self.table.withLock { table in
            if table.count >= Self.capacity { table.removeAll() }
            table[token] = claims
        }
    }
}

/// The claims of a Wharf bearer token.
struct AccessClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var gen: Int64

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try self.exp.verifyNotExpired()
    }
}
