import Glibc
public import NIOCore

/// `pread(2)` until `length` bytes or the end of the file, retried on EINTR: the one read loop of
/// the blob store and the file-response engine. Blocking: call it where blocking is allowed.
public enum PositionalRead {
    /// A read failed; `code` is its `errno`.
    public struct Failure: Error, CustomStringConvertible {
        /// The system's error code.
        public let code: Int32

        public var description: String { String(cString: strerror(self.code)) }
    }

    /// Reads up to `length` bytes of `descriptor` at `offset`; fewer only at the end of the file.
    public static func read(_ descriptor: Int32, offset: Int64, length: Int, allocator: ByteBufferAllocator) throws(Failure) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: length)
        var failure: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { bytes in
            var total = 0
            while total < length {
                let count = pread(descriptor, bytes.baseAddress! + total, length - total, off_t(offset) + off_t(total))
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return total
                }
                if count == 0 { break }
                total += count
            }
            return total
        }
        if failure != 0 { throw Failure(code: failure) }
        return buffer
    }
}
