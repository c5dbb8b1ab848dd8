/// Where events are kept: the outbox table beside the records. Events are written by the
/// transactions that make their changes (units of work, job completions); this reads them back.
public protocol EventCatalog: Sendable {
    /// Events after `id` that `owner` may see (every event when `nil`), oldest first, at most `limit`.
    func events(after id: Int64, visibleTo owner: String?, limit: Int) async throws -> [Event]
    /// The id of the newest event; 0 when there is none.
    func latestEventID() async throws -> Int64
}
