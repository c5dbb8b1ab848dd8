import FileResponses
import NIOCore
import Storage

/// A stored blob as something the file-response engine can send.
struct BlobByteSource: ByteSource {
    let reader: any BlobReader

    var size: Int64 { self.reader.size }

    func read(offset: Int64, length: Int) async throws -> ByteBuffer {
        try await self.reader.read(offset: offset, length: length)
    }

    func close() async throws {
        try await self.reader.close()
    }
}
