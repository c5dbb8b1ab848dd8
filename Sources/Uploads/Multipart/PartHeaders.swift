import TextBytes

/// The headers of one part of a `multipart/form-data` body.
public struct PartHeaders: Sendable, Equatable {
    /// The `name` of the form field (Content-Disposition).
    public var name: String
    /// The file name the client gave, if the part is a file: `filename*` (RFC 5987) wins over `filename`.
    public var fileName: String?
    /// The part's `Content-Type`, if given.
    public var contentType: String?

    /// Creates headers from their values.
    public init(name: String, fileName: String?, contentType: String?) {
        self.name = name
        self.fileName = fileName
        self.contentType = contentType
    }

    /// Parses the header block of a part (without the blank line that ends it).
    /// Lines may end in CRLF or a bare LF. Throws `malformedBody` naming the problem.
    static func parse(_ block: [UInt8]) throws(UploadError) -> PartHeaders {
        var disposition: String?
        var contentType: String?
        for rawLine in block.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var line = rawLine[...]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw UploadError(.malformedBody, "A multipart part has a header line without a colon.")
            }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self)
            switch name {
            case "content-disposition": disposition = value
            case "content-type": contentType = String(value.trimmingHTTPWhitespace())
            default: break
            }
        }
        guard let disposition else {
            throw UploadError(.malformedBody, "A multipart part has no Content-Disposition header.")
        }
        let parameters = try DispositionParameters(disposition)
        guard parameters.kind == "form-data" else {
            throw UploadError(.malformedBody, "A multipart part's Content-Disposition is not form-data.")
        }
        guard let fieldName = parameters.values["name"] else {
            throw UploadError(.malformedBody, "A multipart part's Content-Disposition has no name.")
        }
        let fileName = parameters.values["filename*"].flatMap(Self.decodeExtendedValue) ?? parameters.values["filename"]
        return PartHeaders(name: fieldName, fileName: fileName, contentType: contentType)
    }

    /// RFC 5987 `ext-value`: `UTF-8'lang'percent-encoded`; `nil` for another charset or bad escapes.
    static func decodeExtendedValue(_ value: String) -> String? {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].lowercased() == "utf-8" else { return nil }
        return PercentDecoding.strict(parts[2])
    }
}

/// `form-data; name="a"; filename="b.txt"` split into its kind and parameters. Quoted values may
/// hold `;` and backslash escapes; parameter names are case-insensitive.
struct DispositionParameters {
    let kind: String
    let values: [String: String]

    init(_ header: String) throws(UploadError) {
        var scalars = Array(header.unicodeScalars)[...]
        func skipSpaces() { while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() } }
        func token() -> String {
            var text = ""
            while let first = scalars.first, first != ";", first != "=" {
                text.unicodeScalars.append(first)
                scalars.removeFirst()
            }
            return String(text.trimmingHTTPWhitespace())
        }
        skipSpaces()
        self.kind = token().lowercased()
        var values: [String: String] = [:]
        while scalars.first == ";" {
            scalars.removeFirst()
            skipSpaces()
            let name = token().lowercased()
            guard scalars.first == "=" else {
                if name.isEmpty { continue }
                throw UploadError(.malformedBody, "A multipart Content-Disposition parameter has no value.")
            }
            scalars.removeFirst()
            skipSpaces()
            var value = ""
            if scalars.first == "\"" {
                scalars.removeFirst()
                var closed = false
                while let scalar = scalars.popFirst() {
                    if scalar == "\"" {
                        closed = true
                        break
                    }
                    if scalar == "\\", let next = scalars.first, next == "\"" || next == "\\" {
                        value.unicodeScalars.append(next)
                        scalars.removeFirst()
                    } else {
                        value.unicodeScalars.append(scalar)
                    }
                }
                guard closed else { throw UploadError(.malformedBody, "A multipart Content-Disposition has an unclosed quote.") }
                skipSpaces()
            } else {
                value = token()
            }
            if values[name] == nil { values[name] = value }
        }
        guard scalars.isEmpty else { throw UploadError(.malformedBody, "A multipart Content-Disposition header is malformed.") }
        self.values = values
    }
}
