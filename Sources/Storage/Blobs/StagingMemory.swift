import Synchronization

/// The write buffers of every upload being staged share a budget: each gets 1 MiB while few run
/// (large writes are what the disk needs), less when many run at once, never under 128 KiB.
/// A staging's size is fixed when it opens, from the count of those open then: 32 uploads
/// starting together hold just over 36 MiB of buffers (the first eight 2 MiB each), not 64.
final class StagingMemory: Sendable {
    static let shared = StagingMemory()

    /// Bytes of write buffers (two per staging) the running uploads share.
    static let budget = 16 << 20
    static let largest = 1 << 20
    static let smallest = 128 << 10

    private let open = Atomic<Int>(0)

    /// Counts a staging in; the size of each of its two buffers.
    func enter() -> Int {
        let count = self.open.wrappingAdd(1, ordering: .relaxed).newValue
        let share = Self.budget / (2 * count)
        // A multiple of 64 KiB, as the disk likes its writes.
        return min(Self.largest, max(Self.smallest, share & ~(64 << 10 - 1)))
    }

    /// Counts a staging out.
    func leave() {
        self.open.wrappingSubtract(1, ordering: .relaxed)
    }
}
