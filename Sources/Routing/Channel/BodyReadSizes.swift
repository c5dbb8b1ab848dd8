import Synchronization

/// How much a connection reads from its socket at a time while it receives a large request body.
///
/// NIO reads at most 64 KiB at a time; each read then travels the HTTP pipeline and the body's
/// async sequence on its own, which costs an upload a fifth of its time. An upload's connection
/// reads up to 1 MiB at a time instead, while few run at once: the bodies being received share a
/// budget, because up to ten reads wait on a connection before it stops reading, and many uploads
/// with large reads each would hold that much memory every one.
public final class BodyReadSizes: Sendable {
    /// The sizes every connection of the process shares.
    public static let shared = BodyReadSizes()

    /// Bytes of reads the connections receiving large bodies share.
    static let budget = 2 << 20
    static let largest = 1 << 20
    /// NIO's own largest read: never less than a connection reads anyway.
    static let smallest = 64 << 10

    private let receiving = Atomic<Int>(0)

    /// Counts a body in; the largest read for its connection.
    func enter() -> Int {
        let count = self.receiving.wrappingAdd(1, ordering: .relaxed).newValue
        // A power of two, as NIO's read sizes are.
        let share = Self.budget / count
        return min(Self.largest, max(Self.smallest, 1 << (Int.bitWidth - 1 - share.leadingZeroBitCount)))
    }

    /// Counts a body out.
    func leave() {
        self.receiving.wrappingSubtract(1, ordering: .relaxed)
    }
}
