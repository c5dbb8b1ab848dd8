import MediaTypes
public import NIOCore
public import Storage

/// Streams a request body into a staged blob, counting bytes against the limit as they arrive.
///
/// The body is an async sequence with backpressure: the next buffer is read only when the previous
/// one is handed to storage, so memory stays flat whatever the size. On any failure (limit,
/// disconnect, storage error) the staged blob is aborted and the error rethrown: nothing is left.
public enum BodyIngest {
    /// Stages `body`; `declaredLength` is the Content-Length, if the client sent one.
    public static func stage<Body: AsyncSequence>(
        _ body: Body,
        declaredLength: Int64?,
        limits: UploadLimits,
        into files: FilesService
    ) async throws -> StagedUpload where Body.Element == ByteBuffer {
        var meter = try BodyMeter(declaredLength: declaredLength, limits: limits)
        let staging = try await files.stage(expectedSize: declaredLength)
        do {
            var head = HeadSample()
            for try await buffer in body {
                try meter.count(buffer)
                head.append(buffer)
                try await staging.write(buffer)
            }
            try meter.finish()
            return StagedUpload(blob: try await staging.finish(), head: head.bytes)
        } catch {
            await staging.abort()
            throw error
        }
    }
}

/// The first bytes of a stream, up to what content sniffing looks at.
struct HeadSample {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ buffer: ByteBuffer) {
        let wanted = ContentSniffer.sampleSize - self.bytes.count
        guard wanted > 0 else { return }
        self.bytes += buffer.readableBytesView.prefix(wanted)
    }
}
