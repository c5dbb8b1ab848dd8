import NIOCore
import Testing

@testable import Storage

/// What the hash behind a resumable upload's pieces is given of the bytes kept once written.
@Suite struct WrittenBytesTests {
    static func buffer(_ count: Int, _ value: UInt8) -> ByteBuffer {
        ByteBuffer(bytes: [UInt8](repeating: value, count: count))
    }

    /// Buffers in a row are given whole and in order from where the hash stands, up to the
    /// bytes asked for and not past the offset it goes to; what is given is no longer kept.
    @Test func buffersAreGivenWholeInOrderFromTheHashsOffset() {
        let written = WrittenBytes(budget: 1 << 20)
        for (index, value) in [UInt8(1), 2, 3, 4, 5].enumerated() { written.keep(Self.buffer(100, value), of: "a", at: 500 + Int64(index) * 100) }
        #expect(written.bytes == 500)

        let first = written.take(of: "a", from: 500, through: 1_000, atMost: 250)
        #expect(first.buffers.map { $0.readableBytesView.first } == [1, 2])
        #expect(written.bytes == 300)
        // The next buffer ends past the offset asked for: not given.
        let second = written.take(of: "a", from: 700, through: 850, atMost: 1 << 20)
        #expect(second.buffers.map { $0.readableBytesView.first } == [3])
        #expect(second.next == nil)
        // A hash started again from further on drops what lies before it.
        let third = written.take(of: "a", from: 900, through: 1_000, atMost: 1 << 20)
        #expect(third.buffers.map { $0.readableBytesView.first } == [5])
        #expect(written.bytes == 0)
        #expect(written.take(of: "a", from: 1_000, through: 2_000, atMost: 1 << 20).buffers.isEmpty)
    }

    /// Bytes that do not follow the run kept begin a new one; before it the hash is told where
    /// the kept bytes begin, to read the rest from the file.
    @Test func aGapSaysWhereTheKeptBytesBegin() {
        let written = WrittenBytes(budget: 1 << 20)
        written.keep(Self.buffer(100, 1), of: "a", at: 0)
        written.keep(Self.buffer(100, 2), of: "a", at: 300)
        #expect(written.bytes == 100)
        let before = written.take(of: "a", from: 0, through: 400, atMost: 1 << 20)
        #expect(before.buffers.isEmpty && before.next == 300)
        #expect(written.take(of: "a", from: 300, through: 400, atMost: 1 << 20).buffers.count == 1)
        #expect(written.take(of: "b", from: 0, through: 400, atMost: 1 << 20).next == nil)
    }

    /// Past the budget, all uploads together, bytes are not kept; bytes of an upload whose file
    /// was cut back before their end are dropped, and so is all an upload keeps when it goes.
    @Test func theBudgetHoldsAndDroppedBytesAreFreed() {
        // Room for two of these buffers (100 bytes each in storage of 128), not three.
        let written = WrittenBytes(budget: 300)
        written.keep(Self.buffer(100, 1), of: "a", at: 0)
        written.keep(Self.buffer(100, 2), of: "b", at: 0)
        written.keep(Self.buffer(100, 3), of: "a", at: 100)
        #expect(written.bytes == 200)
        written.drop("a", beyond: 100)
        #expect(written.bytes == 200, "nothing of a lies past 100")
        written.drop("b", beyond: 50)
        #expect(written.bytes == 100)
        written.keep(Self.buffer(100, 4), of: "a", at: 100)
        #expect(written.bytes == 200)
        written.drop("a")
        #expect(written.bytes == 0)
    }

    /// A buffer counts against the budget with all the storage it holds: a slice of a socket's
    /// large receive buffer keeps that whole buffer alive.
    @Test func aSliceCountsTheStorageItHolds() {
        // Room for the receive buffer's storage (1 MiB) and one buffer of 100 KiB (in 128), not two
        // receive buffers.
        let written = WrittenBytes(budget: (1 << 20) + (128 << 10))
        let received = Self.buffer(600 << 10, 7)
        let slice = received.getSlice(at: 0, length: 100 << 10)!
        written.keep(slice, of: "a", at: 0)
        #expect(written.bytes == 100 << 10)
        #expect(written.held == slice.storageCapacity && written.held >= 600 << 10)
        // A second such slice would hold more than the budget: not kept.
        written.keep(received.getSlice(at: 100 << 10, length: 100 << 10)!, of: "a", at: 100 << 10)
        #expect(written.bytes == 100 << 10)
        written.keep(Self.buffer(100 << 10, 8), of: "a", at: 100 << 10)
        #expect(written.bytes == 200 << 10)
        #expect(written.take(of: "a", from: 0, through: 200 << 10, atMost: 1 << 20).buffers.count == 2)
        #expect(written.held == 0)
    }
}
