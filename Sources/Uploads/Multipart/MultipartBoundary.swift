import TextBytes

/// The boundary of a `multipart/form-data` body, from its `Content-Type` (RFC 2046 §5.1.1).
public enum MultipartBoundary {
    /// The boundary parameter of a `multipart/form-data` content type.
    /// Throws `malformedBody` when it is missing, empty, over 70 characters or has characters
    /// outside RFC 2046's `bchars`.
    public static func parse(contentType: String) throws(UploadError) -> String {
        var boundary: String?
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, pair[0].trimmingHTTPWhitespace().lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingHTTPWhitespace()
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
            boundary = String(value)
        }
        guard let boundary, !boundary.isEmpty else {
            throw UploadError(.malformedBody, "The multipart Content-Type has no boundary parameter.")
        }
        guard boundary.utf8.count <= 70 else {
            throw UploadError(.malformedBody, "The multipart boundary is longer than 70 characters (RFC 2046).")
        }
        guard boundary.utf8.allSatisfy(Self.isBoundaryCharacter), boundary.last != " " else {
            throw UploadError(.malformedBody, "The multipart boundary has characters RFC 2046 does not allow.")
        }
        return boundary
    }

    /// RFC 2046 `bchars`: digits, letters and `'()+_,-./:=?` and space (not last).
    static func isBoundaryCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "'()+_,-./:=? ".utf8.contains(byte)
        }
    }
}
