import Foundation
import Synchronization

/// Limits failed sign-ins, per user name and per client address: after `maxFailures` failures
/// within `window`, further attempts under that key are refused until the oldest failure has
/// aged out of the window.
///
/// The check is a dictionary lookup, made before any password is hashed. A refused attempt is
/// not counted, so hammering a locked key does not lengthen its lock; a success clears the
/// address's and the name's failures. Keys whose failures have all aged out are dropped, so the
/// table stays as small as the last window's attacks.
public final class LoginThrottle: Sendable {
    /// Failures allowed per key within `window`.
    public let maxFailures: Int
    /// How long a failure counts.
    public let window: Duration
    private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])
    private let now: @Sendable () -> ContinuousClock.Instant

    /// A throttle allowing `maxFailures` failures per key within `window`; `now` tells the time
    /// (tests pass a clock they move).
    public init(maxFailures: Int, window: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.maxFailures = maxFailures
        self.window = window
        self.now = now
    }

    /// How long until an attempt for `user` from `address` may be made; `nil` when it may now.
    public func retryAfter(user: String, address: String) -> Duration? {
        let now = self.now()
        return self.failures.withLock { table in
            Self.keys(user: user, address: address).compactMap { key -> Duration? in
                let recent = table[key, default: []].filter { now - $0 < self.window }
                table[key] = recent.isEmpty ? nil : recent
                guard recent.count >= self.maxFailures, let oldest = recent.first else { return nil }
                return self.window - (now - oldest)
            }.max()
        }
    }

    /// Counts a failed attempt for `user` from `address`.
    public func recordFailure(user: String, address: String) {
        let now = self.now()
        self.failures.withLock { table in
            if table.count > 100_000 { table = table.filter { _, times in times.contains { now - $0 < self.window } } }
            for key in Self.keys(user: user, address: address) {
                table[key, default: []].append(now)
                table[key] = Array(table[key]!.suffix(self.maxFailures))
            }
        }
    }

    /// Forgets the failures of `user` and of `address` after a successful sign-in.
    public func recordSuccess(user: String, address: String) {
        self.failures.withLock { table in
            for key in Self.keys(user: user, address: address) { table[key] = nil }
        }
    }

    private static func keys(user: String, address: String) -> [String] {
        ["user:" + user.lowercased(), "address:" + address]
    }
}
