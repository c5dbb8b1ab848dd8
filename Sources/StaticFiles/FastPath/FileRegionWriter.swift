import NIOCore
import NIOHTTP1

/// A place below the HTTP codec, where bodies are `IOData`, from which the fast path sends file
/// regions (sendfile); everything else passes through untouched.
final class FileRegionWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes `region` as a body part, after whatever was written before it.
    func write(_ region: FileRegion, promise: EventLoopPromise<Void>?) {
        guard let context = self.context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(self.wrapOutboundOut(.body(.fileRegion(region))), promise: promise)
    }
}
