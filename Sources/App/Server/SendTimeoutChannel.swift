import Glibc
import HummingbirdCore
import Logging
import NIOCore

/// A server's connections, each of which gives up on a client that takes none of what is sent
/// to it for `timeout` (nginx's `send_timeout`): a client that stops reading a download, or
/// vanishes, would otherwise hold its connection, its open file and what is queued for it for
/// ever. The kernel keeps the watch (`TCP_USER_TIMEOUT`: data left unacknowledged, or held back
/// by a closed window, that long aborts the connection), so every connection is covered, the
/// fast path's sendfile, TLS, HTTP/2 and event streams alike, at no cost per write. One HTTP/2
/// stream whose client keeps its own flow-control window shut, while the connection goes on, is
/// `StreamSendTimeout`'s: the kernel sees the connection's bytes acknowledged.
struct SendTimeoutChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let timeout: Duration

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let milliseconds = min(self.timeout / .milliseconds(1), Double(CInt.max))
        let option = ChannelOptions.tcpOption(NIOBSDSocket.Option(rawValue: CInt(TCP_USER_TIMEOUT)))
        do {
            try channel.syncOptions?.setOption(option, value: Int(milliseconds))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return self.base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await self.base.handle(value: value, logger: logger)
    }
}
