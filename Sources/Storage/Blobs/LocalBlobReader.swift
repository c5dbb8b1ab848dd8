import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Positional reads of a stored blob on the thread pool; safe to share between tasks.
final class LocalBlobReader: BlobReader {
    let size: Int64
    private let fd: Int32
    private let path: String
    private let threadPool: NIOThreadPool
    private let allocator: ByteBufferAllocator
    private let isOpen = NIOLockedValueBox(true)

    init(fd: Int32, path: String, size: Int64, threadPool: NIOThreadPool, allocator: ByteBufferAllocator) {
        self.fd = fd
        self.path = path
        self.size = size
        self.threadPool = threadPool
        self.allocator = allocator
    }

    func read(offset: Int64, length: Int) async throws -> ByteBuffer {
        let (fd, path, allocator) = (self.fd, self.path, self.allocator)
        return try await self.threadPool.runIfActive {
            try SystemFile.read(fd, offset: offset, length: length, allocator: allocator, path: path)
        }
    }

    func close() async throws {
        let wasOpen = self.isOpen.withLockedValue { open in
            defer { open = false }
            return open
        }
        if wasOpen { SystemFile.close(self.fd) }
    }

    deinit {
        if self.isOpen.withLockedValue({ $0 }) { SystemFile.close(self.fd) }
    }
}
