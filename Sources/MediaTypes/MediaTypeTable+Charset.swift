extension MediaTypeTable {
    /// The `Content-Type` header value for a media type: textual types get `; charset=utf-8`.
    public static func headerValue(for type: String) -> String {
        self.isTextual(type) ? type + "; charset=utf-8" : type
    }

    /// Text that a browser decodes with a charset: `text/*`, JSON, JavaScript, XML and SVG.
    public static func isTextual(_ type: String) -> Bool {
        type.hasPrefix("text/") || type.hasSuffix("+json") || type.hasSuffix("+xml")
            || ["application/json", "application/javascript", "application/xml", "application/manifest+json"].contains(type)
    }
}
