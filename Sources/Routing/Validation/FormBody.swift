public import Hummingbird
import NIOCore

/// Typed, validated fields of an `application/x-www-form-urlencoded` body, as FastAPI's
/// `Form(...)` declarations: failures are collected and `validate()` throws them as one 422 with
/// locations `["body", name]`.
public struct FormBody {
    /// The largest form body read (64 KiB: a sign-in form, not an upload).
    public static let maxSize = 64 << 10

    private let values: [String: String]
    private var issues: [ValidationIssue] = []

    /// Reads the form of `request`; a body that is not a URL-encoded form counts as an empty one,
    /// so each required field is reported missing.
    public static func read(_ request: Request) async throws -> FormBody {
        let isForm = request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        let buffer = try await request.limitedBody(
            upTo: Self.maxSize,
            tooLarge: HTTPException(.contentTooLarge, "The form is larger than \(Self.maxSize) bytes.")
        )
        return FormBody(isForm ? String(buffer: buffer) : "")
    }

    /// The fields of an encoded form.
    public init(_ encoded: String) {
        self.values = QueryString.parse(encoded[...])
    }

    /// A required field of at most `maxLength` characters; `""` after a failure.
    public mutating func requiredString(_ name: String, maxLength: Int = 1024) -> String {
        guard self.values[name] != nil else {
            self.issues.append(.missing(at: ["body", .string(name)]))
            return ""
        }
        return self.string(name, maxLength: maxLength) ?? ""
    }

    /// An optional field of at most `maxLength` characters.
    public mutating func string(_ name: String, maxLength: Int = 1024) -> String? {
        guard let text = self.values[name] else { return nil }
        guard text.count <= maxLength else {
            self.issues.append(.stringTooLong(at: ["body", .string(name)], input: .string(text), maxLength: maxLength))
            return nil
        }
        return text
    }

    /// Throws every issue found so far as one 422.
    public func validate() throws {
        if !self.issues.isEmpty { throw RequestValidationError(self.issues) }
    }
}
