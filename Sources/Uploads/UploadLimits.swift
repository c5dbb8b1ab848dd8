import Storage

/// Limits that every upload obeys, whatever its protocol.
public struct UploadLimits: Sendable {
    /// The largest request body accepted, in bytes.
    public var maxBodySize: Int64
    /// Bytes the uploader's quota has left (`nil`: no quota): a body declared or grown past it is
    /// refused as it arrives.
    public var quotaLeft: Int64?
    /// The user whose quota `quotaLeft` is, when not the uploader's own (an admin replacing
    /// another's file): the error names them.
    public var quotaOwner: String?

    /// Creates limits.
    public init(maxBodySize: Int64, quotaLeft: Int64? = nil) {
        self.maxBodySize = maxBodySize
        self.quotaLeft = quotaLeft
    }

    /// Whether a body of `size` bytes is more than the quota has left.
    func passesQuota(_ size: Int64) -> Bool {
        self.quotaLeft.map { size > $0 } ?? false
    }

    /// The error for a body past the quota.
    var quotaError: UploadError {
        UploadError(.tooLarge, "The upload would pass \(StorageError.quotaName(of: self.quotaOwner)): \(self.quotaLeft ?? 0) bytes are left.")
    }

    /// The error for a body over `maxBodySize`.
    public var tooLargeError: UploadError {
        UploadError(.tooLarge, "The request body is larger than the limit of \(self.maxBodySize) bytes.")
    }
}
