/// The one door to the events: what a live connection reads to catch up and to follow.
///
/// The outbox keeps the newest `backlog` events (older ones are removed as new ones are written),
/// so a client that was away longer gets what is left, not the whole history.
public struct EventLog: Sendable {
    /// How many of the newest events are kept for clients that reconnect.
    public static let backlog = 10_000

    private let catalog: any EventCatalog

    /// The events kept in `catalog`.
    public init(catalog: any EventCatalog) {
        self.catalog = catalog
    }

    /// The events after `id` that the principal may see (an admin every one, anyone else those
    /// of their own files), oldest first.
    public func events(after id: Int64, for principal: Principal, limit: Int = 100) async throws -> [Event] {
        try await self.catalog.events(after: id, visibleTo: principal.ownerScope, limit: limit)
    }

    /// The id of the newest event (where a client that asks for nothing missed starts).
    public func latestID() async throws -> Int64 {
        try await self.catalog.latestEventID()
    }
}
