import Glibc
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix
import TextBytes

/// A regular file on the local disk as a byte source: a descriptor the caller opened (so that the
/// file read is the file that was checked), read with `pread(2)`, and either owned by the source
/// or lent to it by whatever holds the file open.
///
/// Reads of up to `inlineReadLimit` bytes (a typical range request) are made on the calling
/// thread, as nginx makes its reads: a round trip through the thread pool costs more than copying
/// a few pages from the page cache. Larger reads (a whole download, 1 MiB at a time) go to NIO's
/// thread pool, so a cold disk never holds the event loop for long.
public final class LocalFileSource: ByteSource {
    /// The largest read made without the thread pool.
    public static let inlineReadLimit = 128 << 10

    /// Who closes the descriptor: the source itself, or the holder that lent it.
    private enum Owner {
        case source
        case holder(any AnyObject & Sendable)
    }

    public let size: Int64
    private let descriptor: Int32
    private let threadPool: NIOThreadPool
    /// `nil` once closed.
    private let owner: NIOLockedValueBox<Owner?>

    /// Takes ownership of `descriptor`, a regular file of `size` bytes; `close()` closes it.
    public init(descriptor: Int32, size: Int64, threadPool: NIOThreadPool = .singleton) {
        self.descriptor = descriptor
        self.size = size
        self.threadPool = threadPool
        self.owner = NIOLockedValueBox(.source)
    }

    /// Reads `descriptor`, a regular file of `size` bytes that `holder` keeps open as long as it
    /// lives; the source keeps `holder` until `close()`, and never closes the descriptor itself.
    public init(descriptor: Int32, size: Int64, heldOpenBy holder: any AnyObject & Sendable, threadPool: NIOThreadPool = .singleton) {
        self.descriptor = descriptor
        self.size = size
        self.threadPool = threadPool
        self.owner = NIOLockedValueBox(.holder(holder))
    }

    public func read(offset: Int64, length: Int) async throws -> ByteBuffer {
        let descriptor = self.descriptor
        if length <= Self.inlineReadLimit { return try Self.read(descriptor, offset: offset, length: length) }
        return try await self.threadPool.runIfActive { try Self.read(descriptor, offset: offset, length: length) }
    }

    private static func read(_ descriptor: Int32, offset: Int64, length: Int) throws -> ByteBuffer {
        try PositionalRead.read(descriptor, offset: offset, length: length, allocator: ByteBufferAllocator())
    }

    public func close() async throws {
        self.release()
    }

    private func release() {
        let owner = self.owner.withLockedValue { owner in
            defer { owner = nil }
            return owner
        }
        if case .source = owner { Glibc.close(self.descriptor) }
    }

    deinit {
        self.release()
    }
}
