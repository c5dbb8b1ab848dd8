/// `POST /api/files` with a form: the files it created, in part order.
public struct FormUploadBody: Codable, Sendable, Equatable {
    /// One record per file part.
    public var files: [FileRecordBody]

    /// A form upload's answer.
    public init(files: [FileRecordBody]) {
        self.files = files
    }
}
