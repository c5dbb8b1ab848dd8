import Synchronization

/// Wakes its followers after a commit: each then reads what it follows from where it stands, so a
/// wake carries no data and wakes that come together fold into one.
public final class CommitSignal: Sendable {
    /// Why a follower looks.
    public enum Wake: Sendable {
        /// Something was committed.
        case committed
        /// A time the follower set has come.
        case timeUp
    }

    private let followers = Mutex<[Int: AsyncStream<Wake>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    /// A signal with no followers yet.
    public init() {}

    /// Wakes for one follower until `body` returns; the follower may add wakes of its own. A commit
    /// while the follower is busy is kept for its next look.
    public func withWakes<Value: Sendable>(
        _ body: (AsyncStream<Wake>, AsyncStream<Wake>.Continuation) async throws -> Value
    ) async rethrows -> Value {
        let id = self.nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<Wake>.makeStream(bufferingPolicy: .bufferingNewest(2))
        self.followers.withLock { $0[id] = continuation }
        defer {
            self.followers.withLock { _ = $0.removeValue(forKey: id) }
            continuation.finish()
        }
        return try await body(stream, continuation)
    }

    /// Something was committed: every follower looks.
    public func notify() {
        self.followers.withLock { followers in
            for continuation in followers.values { continuation.yield(.committed) }
        }
    }
}
