import NIOCore

/// Counts a request body against the body limit, the uploader's quota and its declared length,
/// for every upload protocol.
///
/// A declared length over the limit is refused before any byte is read; a body that grows past the
/// limit is refused at the buffer that crosses it; a body that ends short of its declared length
/// is refused at the end (the client went away, or lied).
struct BodyMeter {
    private let limits: UploadLimits
    private let declaredLength: Int64?
    /// Bytes counted so far.
    private(set) var received: Int64 = 0

    /// Starts counting; throws `tooLarge` when the declared length is already over the limit.
    init(declaredLength: Int64?, limits: UploadLimits) throws {
        if let declaredLength, declaredLength > limits.maxBodySize { throw limits.tooLargeError }
        if let declaredLength, limits.passesQuota(declaredLength) { throw limits.quotaError }
        self.limits = limits
        self.declaredLength = declaredLength
    }

    /// Counts one buffer of the body.
    mutating func count(_ buffer: ByteBuffer) throws {
        self.received += Int64(buffer.readableBytes)
        if self.received > self.limits.maxBodySize { throw self.limits.tooLargeError }
        if self.limits.passesQuota(self.received) { throw self.limits.quotaError }
    }

    /// Checks, at the end of the body, that it was as long as it said.
    func finish() throws {
        if let declaredLength, self.received != declaredLength {
            throw UploadError.incompleteBody(received: self.received, declared: declaredLength)
        }
    }
}
