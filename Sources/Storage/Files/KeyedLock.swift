/// Mutual exclusion per key, for async code: holders of different keys never wait for each other.
actor KeyedLock<Key: Hashable & Sendable> {
    private var waiters: [Key: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` while no other holder of `key` runs.
    func withLock<T: Sendable>(_ key: Key, _ body: @Sendable () async throws -> T) async throws -> T {
        await self.acquire(key)
        do {
            let result = try await body()
            self.release(key)
            return result
        } catch {
            self.release(key)
            throw error
        }
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
