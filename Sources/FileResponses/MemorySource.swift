public import NIOCore

/// Bytes already in memory (e.g. a compressed variant) as a byte source.
public struct MemorySource: ByteSource {
    private let buffer: ByteBuffer

    /// Wraps a buffer.
    public init(_ buffer: ByteBuffer) {
        self.buffer = buffer
    }

    public var size: Int64 { Int64(self.buffer.readableBytes) }

    public func read(offset: Int64, length: Int) async throws -> ByteBuffer {
        let start = Int(min(offset, self.size))
        let count = min(length, self.buffer.readableBytes - start)
        return self.buffer.getSlice(at: self.buffer.readerIndex + start, length: count)!
    }

    public func close() async throws {}

    public var bytesInMemory: ByteBuffer? { self.buffer }
}
