import Foundation

/// How long sign-in sessions last: `idle` after the last request, and never beyond `absolute`
/// after signing in.
struct SessionPolicy: Sendable {
    let idle: Duration
    let absolute: Duration

    /// How long a session signed in at `signedInAt` may now stay idle; `nil` once its absolute
    /// lifetime has passed. Times are seconds since 1970.
    func remaining(signedInAt: Int64, now: Int64) -> Duration? {
        let left = self.absolute - .seconds(now - signedInAt)
        guard left > .zero else { return nil }
        return min(self.idle, left)
    }

    static func now() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }
}
