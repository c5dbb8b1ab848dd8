import NIOCore
import NIOHTTPTypes

/// Resets an HTTP/2 stream whose client takes none of its answer for `timeout` (nginx's
/// `send_timeout`, per stream): a client that keeps the stream's flow-control window shut while
/// its connection goes on (it answers PINGs, other streams move) would otherwise hold the
/// answer's task and open file for as long as the connection lasts, where the kernel's watch of
/// the connection (`SendTimeoutChannel`) sees nothing wrong.
///
/// The watch runs while the stream is not writable (what is queued passed NIO's watermark), and
/// a body part counts as taken once NIO has written it to the connection, which a shut window
/// holds back. Larger parts are cut into slices of `sliceSize`, so that a slow client, whose
/// window opens a little at a time, shows progress every slice: it is cut only below a slice a
/// timeout (64 KiB a minute by default), where one whole part of a megabyte would cut slow
/// clients too.
final class StreamSendTimeout: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let sliceSize = 64 << 10

    private let timeout: TimeAmount
    /// When a slice was last taken, or the stream last stopped being writable.
    private var lastTaken = NIODeadline.now()
    private var check: Scheduled<Void>?

    init(timeout: Duration) {
        self.timeout = TimeAmount(timeout)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // A part of a slice or less needs no watch of its own: the stream turns writable again
        // as soon as it is taken (NIO's watermarks are 8 and 4 KiB), which ends the watch.
        guard case .body(var bytes) = self.unwrapOutboundIn(data), bytes.readableBytes > Self.sliceSize else {
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
        let taken = promise ?? context.eventLoop.makePromise()
        taken.futureResult.assumeIsolated().whenComplete { _ in self.lastTaken = .now() }
        context.write(self.wrapOutboundOut(.body(slice)), promise: taken)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            self.check?.cancel()
            self.check = nil
        } else if self.check == nil {
            self.lastTaken = .now()
            self.scheduleCheck(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func scheduleCheck(context: ChannelHandlerContext) {
        self.check = context.eventLoop.assumeIsolated().scheduleTask(deadline: self.lastTaken + self.timeout) {
            self.check = nil
            guard !context.channel.isWritable else { return }
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
