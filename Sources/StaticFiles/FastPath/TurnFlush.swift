import NIOCore
import NIOPosix

/// The fast path's answers written in one turn of an event loop, flushed together once the turn
/// has read every connection that was ready. A client that waits on many connections is then
/// woken once for the answers of a turn, not once for each: on this VM each wake-up of a client
/// on the other core cost the server's core more than the rest of a small answer's kernel work,
/// and a client faster than the server was woken for nearly every answer. An answer waits at
/// most for the other requests of its turn; with one request ready, it leaves in the same turn,
/// one task later.
final class TurnFlush: @unchecked Sendable {
    // One per event loop thread, used on that thread alone.
    private static let current = ThreadSpecificVariable<TurnFlush>()
    private var waiting: [(context: ChannelHandlerContext, then: () -> Void)] = []

    /// Flushes `context` at the end of its event loop's turn (called on that loop), then runs
    /// `then`.
    static func flush(_ context: ChannelHandlerContext, then: @escaping () -> Void) {
        let turn: TurnFlush
        if let existing = Self.current.currentValue {
            turn = existing
        } else {
            turn = TurnFlush()
            Self.current.currentValue = turn
        }
        if turn.waiting.isEmpty {
            // NIO runs a turn's tasks once it has handled the turn's I/O.
            context.eventLoop.assumeIsolated().execute { turn.flushAll() }
        }
        turn.waiting.append((context, then))
    }

    private func flushAll() {
        let waiting = self.waiting
        self.waiting.removeAll(keepingCapacity: true)
        for (context, then) in waiting {
            context.flush()
            then()
        }
    }
}
