/// How a failing job is retried: up to `maxAttempts` attempts in all, waiting `baseDelay`, then
/// twice as long after each further failure, never more than `maxDelay`.
public struct RetryPolicy: Sendable {
    /// Attempts in all before the job is failed for good.
    public var maxAttempts: Int
    /// The wait after the first failure.
    public var baseDelay: Duration
    /// The longest wait.
    public var maxDelay: Duration

    /// A policy.
    public init(maxAttempts: Int = 5, baseDelay: Duration = .seconds(2), maxDelay: Duration = .seconds(3600)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before the attempt after failed attempt `attempt` (1 for the first).
    public func delay(afterAttempt attempt: Int) -> Duration {
        let doubled = self.baseDelay * Int(1 << min(max(attempt - 1, 0), 30))
        return min(doubled, self.maxDelay)
    }
}
