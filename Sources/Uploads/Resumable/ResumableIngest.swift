public import NIOCore
public import Storage

/// Streams one request body into a piece of a resumable upload, with the same backpressure as
/// every other upload: the next buffer is read when the previous one is handed to storage.
public enum ResumableIngest {
    /// Appends `body`; returns the upload's new offset. A body cut off keeps the bytes that
    /// arrived (the point of resuming; unless a checksum came with it), a piece past the upload's
    /// length keeps nothing; either way the error is rethrown.
    public static func append<Body: AsyncSequence>(_ body: Body, to piece: ResumableAppend) async throws -> Int64
    where Body.Element == ByteBuffer {
        do {
            for try await buffer in body { try await piece.write(buffer) }
        } catch let error as StorageError {
            await piece.discard()
            throw error
        } catch {
            await piece.keep()
            throw error
        }
        return try await piece.commit()
    }
}
