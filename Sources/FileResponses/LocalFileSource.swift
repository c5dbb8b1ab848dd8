public import NIOCore
import _NIOFileSystem

/// A regular file on the local disk as a byte source, read through NIO's file system on its
/// thread pool.
public struct LocalFileSource: ByteSource {
    public let size: Int64
    private let handle: ReadFileHandle

    /// Opens a regular file; `nil` when it does not exist or is not a regular file.
    public static func open(path: String) async throws -> LocalFileSource? {
        guard let info = try await FileSystem.shared.info(forFileAt: .init(path), infoAboutSymbolicLink: false),
            info.type == .regular
        else { return nil }
        let handle = try await FileSystem.shared.openFile(forReadingAt: .init(path))
        return LocalFileSource(size: info.size, handle: handle)
    }

    private init(size: Int64, handle: ReadFileHandle) {
        self.size = size
        self.handle = handle
    }

    public func read(offset: Int64, length: Int) async throws -> ByteBuffer {
        try await self.handle.readChunk(fromAbsoluteOffset: offset, length: .bytes(Int64(length)))
    }

    public func close() async throws {
        try await self.handle.close()
    }
}
