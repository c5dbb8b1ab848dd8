/// Limits of a form upload beyond the total body size (`UploadLimits`).
public struct MultipartLimits: Sendable {
    /// Largest single file, in bytes.
    public var maxFileSize: Int64
    /// Most file parts in one request.
    public var maxFiles: Int
    /// Most text fields in one request.
    public var maxFields: Int
    /// Largest text field, in bytes.
    public var maxFieldSize: Int
    /// Largest header block of one part, in bytes.
    public var maxPartHeaderSize: Int

    /// Creates limits.
    public init(maxFileSize: Int64, maxFiles: Int = 100, maxFields: Int = 100, maxFieldSize: Int = 64 << 10, maxPartHeaderSize: Int = 16 << 10) {
        self.maxFileSize = maxFileSize
        self.maxFiles = maxFiles
        self.maxFields = maxFields
        self.maxFieldSize = maxFieldSize
        self.maxPartHeaderSize = maxPartHeaderSize
    }
}
