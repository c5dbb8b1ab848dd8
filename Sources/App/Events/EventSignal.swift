import Synchronization

/// Why a live event stream looks at the outbox.
enum EventWake: Sendable {
    /// Something was committed.
    case committed
    /// Its heartbeat is due.
    case heartbeat
}

/// Wakes the live event streams after a commit: each stream then reads the outbox from where it
/// stands, so a wake carries no data and wakes that come together fold into one.
final class EventSignal: Sendable {
    private let followers = Mutex<[Int: AsyncStream<EventWake>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    /// Wakes for one follower until `body` returns; the follower may add wakes of its own.
    func withWakes<Value: Sendable>(
        _ body: (AsyncStream<EventWake>, AsyncStream<EventWake>.Continuation) async throws -> Value
    ) async throws -> Value {
        let id = self.nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<EventWake>.makeStream(bufferingPolicy: .bufferingNewest(2))
        self.followers.withLock { $0[id] = continuation }
        defer {
            self.followers.withLock { _ = $0.removeValue(forKey: id) }
            continuation.finish()
        }
        return try await body(stream, continuation)
    }

    /// Something was committed: every follower looks.
    func notify() {
        self.followers.withLock { followers in
            for continuation in followers.values { continuation.yield(.committed) }
        }
    }
}
