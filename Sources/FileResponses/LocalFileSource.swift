import Glibc
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix

/// A regular file on the local disk as a byte source: a descriptor the caller opened (so that the
/// file read is the file that was checked), read with `pread(2)` on NIO's thread pool.
public final class LocalFileSource: ByteSource {
    public let size: Int64
    private let descriptor: Int32
    private let threadPool: NIOThreadPool
    private let isOpen = NIOLockedValueBox(true)

    /// Takes ownership of `descriptor`, a regular file of `size` bytes; `close()` releases it.
    public init(descriptor: Int32, size: Int64, threadPool: NIOThreadPool = .singleton) {
        self.descriptor = descriptor
        self.size = size
        self.threadPool = threadPool
    }

    public func read(offset: Int64, length: Int) async throws -> ByteBuffer {
        let descriptor = self.descriptor
        return try await self.threadPool.runIfActive {
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { bytes in
                var total = 0
                while total < length {
                    let count = pread(descriptor, bytes.baseAddress! + total, length - total, off_t(offset) + off_t(total))
                    if count < 0 {
                        if errno == EINTR { continue }
                        throw FileReadError(code: errno)
                    }
                    if count == 0 { break }
                    total += count
                }
                return total
            }
            return buffer
        }
    }

    public func close() async throws {
        self.release()
    }

    private func release() {
        let wasOpen = self.isOpen.withLockedValue { open in
            defer { open = false }
            return open
        }
        if wasOpen { Glibc.close(self.descriptor) }
    }

    deinit {
        self.release()
    }
}

/// A file could not be read (the `errno` of the failed read).
public struct FileReadError: Error {
    /// The system's error code.
    public let code: Int32
}
