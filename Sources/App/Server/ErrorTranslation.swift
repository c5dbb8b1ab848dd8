import HTTPTypes
import Routing
import Storage
import Uploads

/// App's one mapping of domain errors to HTTP answers; `ErrorMiddleware` asks it for every
/// error that is not already an HTTP exception.
enum ErrorTranslation {
    static func exception(for error: any Error) -> HTTPException? {
        switch error {
        case let upload as UploadError:
            switch upload.code {
            case .tooLarge, .tooMany: return HTTPException(.contentTooLarge, upload.message)
            case .invalidName, .incompleteBody, .malformedBody: return HTTPException(.badRequest, upload.message)
            case .unsupportedType: return HTTPException(.unsupportedMediaType, upload.message)
            case .missingFile:
                return RequestValidationError([ValidationIssue(location: ["body", "file"], message: "Field required", type: "missing")]).exception
            default: return nil
            }
        case let storage as StorageError:
            switch storage.code {
            case .notFound: return HTTPException(.notFound, storage.message)
            case .invalidCursor: return HTTPException(.badRequest, storage.message)
            case .noSpace: return HTTPException(.init(code: 507, reasonPhrase: "Insufficient Storage"), storage.message)
            default: return nil
            }
        default:
            return nil
        }
    }
}
