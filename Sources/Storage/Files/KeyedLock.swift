/// Mutual exclusion per key, for async code: holders of different keys never wait for each other.
actor KeyedLock<Key: Hashable & Comparable & Sendable> {
    private var waiters: [Key: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` holding the locks of every key. Keys are taken in ascending order, so two
    /// holders of overlapping sets cannot deadlock.
    func withLocks<T: Sendable>(_ keys: [Key], _ body: @Sendable () async throws -> T) async throws -> T {
        var sorted: [Key] = []
        for key in keys.sorted() where sorted.last != key { sorted.append(key) }
        for key in sorted { await self.acquire(key) }
        defer { for key in sorted { self.release(key) } }
        return try await body()
    }

    private func acquire(_ key: Key) async {
        if self.waiters[key] == nil {
            self.waiters[key] = []
            return
        }
        await withCheckedContinuation { self.waiters[key]!.append($0) }
    }

    private func release(_ key: Key) {
        guard var queue = self.waiters[key] else { return }
        if queue.isEmpty {
            self.waiters[key] = nil
        } else {
            let next = queue.removeFirst()
            self.waiters[key] = queue
            next.resume()
        }
    }
}
