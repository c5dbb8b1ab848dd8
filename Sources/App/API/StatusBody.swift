/// `/healthz` and `/readyz`: `{"status": "ok"}` or `{"status": "ready"}`.
public struct StatusBody: Codable, Sendable, Equatable {
    /// The state reported.
    public var status: String

    /// A status answer.
    public init(status: String) {
        self.status = status
    }
}
