public import HTTPTypes

extension HTTPField.Name {
    /// `X-Request-ID`: the request's id, kept from the client when sane, else made up.
    public static let requestID = HTTPField.Name("X-Request-ID")!
    /// `X-Process-Time`: seconds the routes took to answer.
    public static let processTime = HTTPField.Name("X-Process-Time")!
}
