public import HTTPTypes

extension HTTPField.Name {
    /// `X-Request-ID`: the request's id, kept from the client when sane, else made up.
    public static let requestID = HTTPField.Name("X-Request-ID")!
    /// `X-Process-Time`: seconds the routes took to answer.
    public static let processTime = HTTPField.Name("X-Process-Time")!
}

extension HTTPFields {
    /// Sets a field whose value is new in every answer (a request id, a process time). HTTP/2's
    /// header compression is told to leave it out of its table: kept there, such values only push
    /// out the fields that do repeat, and make every later lookup in the table longer.
    public mutating func setUnrepeated(_ name: HTTPField.Name, to value: String) {
        var field = HTTPField(name: name, value: value)
        field.indexingStrategy = .avoid
        // Mostly absent: appended without making an array of one.
        if self.contains(name) { self[fields: name] = [field] } else { self.append(field) }
    }
}
