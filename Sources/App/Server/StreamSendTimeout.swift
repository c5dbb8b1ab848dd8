import NIOCore
import NIOHTTPTypes

/// Resets an HTTP/2 stream whose client takes none of its answer for `timeout` (nginx's
/// `send_timeout`, per stream): a client that keeps the stream's flow-control window shut while
/// its connection goes on (it answers PINGs, other streams move) would otherwise hold the
/// answer's task and open file for as long as the connection lasts, where the kernel's watch of
/// the connection (`SendTimeoutChannel`) sees nothing wrong.
///
/// A body part counts as taken once NIO has written it to the connection, which a closed window
/// holds back. Parts are cut into slices of `sliceSize`, so that a slow client, whose window
/// opens a little at a time, shows progress every slice: it is cut only below a slice a timeout
/// (64 KiB a minute by default), where one whole part of a megabyte would cut slow clients too.
final class StreamSendTimeout: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let sliceSize = 64 << 10

    private let timeout: TimeAmount
    /// Body slices written and not yet taken.
    private var untaken = 0
    /// When a slice was last taken, or the first of those untaken written.
    private var lastTaken = NIODeadline.now()
    private var check: Scheduled<Void>?

    init(timeout: Duration) {
        self.timeout = TimeAmount(timeout)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .body(var bytes) = self.unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        // The part's own promise goes with its last slice: slices are taken in order.
        while bytes.readableBytes > Self.sliceSize {
            self.send(context: context, bytes.readSlice(length: Self.sliceSize)!, promise: nil)
        }
        self.send(context: context, bytes, promise: promise)
    }

    private func send(context: ChannelHandlerContext, _ slice: ByteBuffer, promise: EventLoopPromise<Void>?) {
        if self.untaken == 0 { self.lastTaken = .now() }
        self.untaken += 1
        let taken = promise ?? context.eventLoop.makePromise()
        taken.futureResult.assumeIsolated().whenComplete { _ in
            self.untaken -= 1
            self.lastTaken = .now()
        }
        context.write(self.wrapOutboundOut(.body(slice)), promise: taken)
        if self.check == nil { self.scheduleCheck(context: context) }
    }

    private func scheduleCheck(context: ChannelHandlerContext) {
        self.check = context.eventLoop.assumeIsolated().scheduleTask(deadline: self.lastTaken + self.timeout) {
            self.check = nil
            guard self.untaken > 0 else { return }
            if NIODeadline.now() >= self.lastTaken + self.timeout {
                // Closing a stream resets it (RST_STREAM, CANCEL); its writes fail, which ends
                // the answer's task.
                context.close(promise: nil)
            } else {
                self.scheduleCheck(context: context)
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.check?.cancel()
        self.check = nil
    }
}
