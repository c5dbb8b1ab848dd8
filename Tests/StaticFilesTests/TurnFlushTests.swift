import NIOCore
import NIOEmbedded
import Testing

@testable import StaticFiles

/// The fast path's answers of one turn of an event loop leave together when the turn ends.
@Suite struct TurnFlushTests {
    /// Writes what it is told and leaves the flush to the turn.
    final class Writer: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer

        var context: ChannelHandlerContext!

        func handlerAdded(context: ChannelHandlerContext) {
            self.context = context
        }

        func answer(_ text: String, then: @escaping () -> Void) {
            self.context.write(NIOAny(ByteBuffer(string: text)), promise: nil)
            TurnFlush.flush(self.context, then: then)
        }
    }

    /// Answers written on two connections of one loop stay unsent until the loop's turn ends;
    /// then each connection is flushed, and what follows each flush runs after it, in order.
    @Test func answersOfATurnLeaveWhenItEnds() throws {
        let loop = EmbeddedEventLoop()
        let (first, second) = (Writer(), Writer())
        let channels = [EmbeddedChannel(handler: first, loop: loop), EmbeddedChannel(handler: second, loop: loop)]
        var followed: [String] = []
        first.answer("one") { followed.append("one") }
        second.answer("two") { followed.append("two") }
        first.answer("three") { followed.append("three") }
        #expect(try channels[0].readOutbound(as: ByteBuffer.self) == nil)
        #expect(followed.isEmpty)

        loop.run()
        #expect(try channels[0].readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "one"))
        #expect(try channels[0].readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "three"))
        #expect(try channels[1].readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "two"))
        #expect(followed == ["one", "two", "three"])

        // The next turn starts empty and flushes again.
        second.answer("four") { followed.append("four") }
        loop.run()
        #expect(try channels[1].readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "four"))
        #expect(followed.last == "four")
    }
}
