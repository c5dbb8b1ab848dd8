import CAllocator

/// How much memory freed by requests the process keeps for the next ones.
///
/// glibc gives freed memory back to the kernel once a little more than the largest block freed
/// lately is free at the top of an arena. An upload's buffers (socket reads of up to 1 MiB, two
/// write buffers of up to 1 MiB) are all freed when its request ends, so each request's buffers
/// had every page faulted in and zeroed afresh: 45,000 page faults for 256 MiB sent with tus in
/// 8 MiB pieces, a fifth of the server's time. Up to 16 MiB free stays in each arena instead, and
/// blocks of up to 4 MiB come from the arenas, not from mappings made and unmade for each.
enum FreedMemory {
    static let keptPerArena = 16 << 20
    static let largestFromArenas = 4 << 20

    /// Sets the allocator's thresholds; before the first request.
    static func keep() {
        _ = callocator_keep_freed_memory(self.keptPerArena, self.largestFromArenas)
    }
}
