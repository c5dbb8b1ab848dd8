public import NIOCore

/// Random access to the bytes of something to send: a stored blob, a static file.
///
/// The file-response engine reads through it in large chunks; it knows nothing of where the bytes
/// live. The source is closed when the body is finished or abandoned.
public protocol ByteSource: Sendable {
    /// Total size in bytes.
    var size: Int64 { get }
    /// Reads up to `length` bytes at `offset`; fewer only at the end.
    func read(offset: Int64, length: Int) async throws -> ByteBuffer
    /// Releases the source.
    func close() async throws
    /// All the bytes, when they are already in memory (the response then goes out in one write).
    var bytesInMemory: ByteBuffer? { get }
}

extension ByteSource {
    /// Most sources are read piece by piece.
    public var bytesInMemory: ByteBuffer? { nil }
}
