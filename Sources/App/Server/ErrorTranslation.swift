import FileResponses
import HTTPTypes
import Routing
import StaticFiles
import Storage
import Uploads

/// App's one mapping of domain errors to HTTP answers; `ErrorMiddleware` asks it for every
/// error that is not already an HTTP exception, and renders the answer as `{"detail": ...}`.
/// Each module's error carries its own message; only the status is decided here.
enum ErrorTranslation {
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    static func exception(for error: any Error) -> HTTPException? {
        switch error {
        case let upload as UploadError: self.exception(for: upload)
        case let storage as StorageError: self.exception(for: storage)
        case let file as FileResponseError:
            HTTPException(file.code == .preconditionFailed ? .preconditionFailed : .rangeNotSatisfiable, file.message, headers: file.headers)
        case let site as StaticFileError where site.code == .malformedPath: HTTPException(.badRequest, site.message)
        default: nil
        }
    }

    static func exception(for upload: UploadError) -> HTTPException? {
        switch upload.code {
        case .tooLarge, .tooMany: HTTPException(.contentTooLarge, upload.message)
        case .invalidName, .invalidTags, .incompleteBody, .malformedBody: HTTPException(.badRequest, upload.message)
        case .unsupportedType: HTTPException(.unsupportedMediaType, upload.message)
        case .missingFile:
            RequestValidationError([.missing(at: ["body", "file"])]).exception
        default: nil
        }
    }

    static func exception(for storage: StorageError) -> HTTPException? {
        switch storage.code {
        case .notFound: HTTPException(.notFound, storage.message)
        case .invalidCursor: HTTPException(.badRequest, storage.message)
        case .noSpace: HTTPException(self.insufficientStorage, storage.message)
        case .quotaExceeded: HTTPException(.contentTooLarge, storage.message)
        case .accountGone: HTTPException(.unauthorized, storage.message, headers: [.wwwAuthenticate: "Bearer"])
        case .gone: HTTPException(.gone, storage.message)
        case .conflict, .alreadyExists: HTTPException(.conflict, storage.message)
        case .changed: HTTPException(.preconditionFailed, storage.message)
        case .locked: HTTPException(HTTPResponse.Status(code: 423, reasonPhrase: "Locked"), storage.message)
        case .checksumMismatch: HTTPException(HTTPResponse.Status(code: 460, reasonPhrase: "Checksum Mismatch"), storage.message)
        case .corrupt where storage.cause == nil: HTTPException(.internalServerError, storage.message)
        case .busy: HTTPException(.serviceUnavailable, storage.message, headers: [.retryAfter: "1"])
        default: nil
        }
    }
}
