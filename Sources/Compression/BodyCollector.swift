public import HTTPTypes
public import Hummingbird
public import NIOCore

/// Gathers a response body that is known to be small into one buffer.
public final class BodyCollector: ResponseBodyWriter {
    /// What was written so far.
    public private(set) var content: ByteBuffer

    /// A collector with room for `capacity` bytes.
    public init(capacity: Int) {
        self.content = ByteBuffer()
        self.content.reserveCapacity(capacity)
    }

    public func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.content.writeBuffer(&buffer)
    }

    public func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
