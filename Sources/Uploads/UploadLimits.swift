/// Limits that every upload obeys, whatever its protocol.
public struct UploadLimits: Sendable {
    /// The largest request body accepted, in bytes.
    public var maxBodySize: Int64

    /// Creates limits.
    public init(maxBodySize: Int64) {
        self.maxBodySize = maxBodySize
    }

    /// The error for a body over `maxBodySize`.
    public var tooLargeError: UploadError {
        UploadError(.tooLarge, "The request body is larger than the limit of \(self.maxBodySize) bytes.")
    }
}
