import Testing

@testable import Storage

/// What the README's guarantee says of the uploads' write buffers.
@Suite struct StagingMemoryTests {
    /// 32 stagings opening one after another hold 36 MiB and 128 KiB of buffers (two each), not
    /// 32 × 2 MiB; once they close, the next gets 1 MiB a buffer again.
    @Test func thirtyTwoUploadsStartingTogetherHold36MiB() {
        let memory = StagingMemory()
        let sizes = (0..<32).map { _ in memory.enter() }
        #expect(sizes.prefix(8).allSatisfy { $0 == 1 << 20 })
        #expect(sizes.allSatisfy { $0 >= StagingMemory.smallest && $0 % (64 << 10) == 0 })
        #expect(sizes.reduce(0) { $0 + 2 * $1 } == (36 << 20) + (128 << 10))
        for _ in sizes { memory.leave() }
        #expect(memory.enter() == 1 << 20)
    }
}
