import NIOCore
import Routing
import ServiceLifecycle
import Storage

/// What a live connection sends, framed by its carrier (SSE or WebSocket).
enum EventFrame: Sendable {
    /// An event: its id, its type and its JSON.
    case event(id: Int64, type: String, json: String)
    /// Nothing happened for a while; the connection is alive.
    case heartbeat
}

/// Follows the outbox for one principal: first what it missed after `cursor` (from the bounded
/// backlog), then every new event as commits wake it, and a heartbeat when nothing happened for
/// `heartbeat`. Ends when `emit` fails (the client left), the task is cancelled, the server
/// shuts down gracefully, or the principal's sign-in ended (checked before anything is sent).
struct EventFeed: Sendable {
    let events: EventLog
    let files: FilesService
    let views: ThumbnailViews
    let signal: CommitSignal
    let heartbeat: Duration

    /// Where a client that names no last event starts: after the newest one.
    func start() async throws -> Int64 {
        try await self.events.latestID()
    }

    /// Follows until an end; `true` when the end is that `signedIn` stopped holding (a sign-out, a
    /// password change, the user deleted, the token expired), which it is asked before each send.
    @discardableResult
    func follow(
        _ principal: Principal,
        after cursor: Int64,
        while signedIn: () async -> Bool,
        emit: (EventFrame) async throws -> Void
    ) async throws -> Bool {
        try await self.signal.withWakes { wakes, wake in
            let heartbeat = self.heartbeat
            let beating = Task {
                while true {
                    try await Task.sleep(for: heartbeat)
                    wake.yield(.timeUp)
                }
            }
            defer { beating.cancel() }
            return try await withGracefulShutdownHandler {
                var cursor = cursor
                guard await signedIn() else { return true }
                try await self.send(after: &cursor, to: principal, emit: emit)
                for await reason in wakes {
                    guard await signedIn() else { return true }
                    let sent = try await self.send(after: &cursor, to: principal, emit: emit)
                    if case .timeUp = reason, sent == 0 { try await emit(.heartbeat) }
                }
                return false
            } onGracefulShutdown: {
                wake.finish()
            }
        }
    }

    /// Sends every event after `cursor` the principal may see, moving `cursor`; how many.
    @discardableResult
    private func send(after cursor: inout Int64, to principal: Principal, emit: (EventFrame) async throws -> Void) async throws -> Int {
        var sent = 0
        while true {
            let batch = try await self.events.events(after: cursor, for: principal)
            for event in batch {
                try await emit(.event(id: event.id, type: event.kind.rawValue, json: try await self.json(event)))
                cursor = event.id
                sent += 1
            }
            if batch.count < 100 { return sent }
        }
    }

    private func json(_ event: Event) async throws -> String {
        var file: EventFileBody?
        if let id = event.fileID {
            if event.kind != .fileDeleted, let record = try? await self.files.file(id, as: .local) {
                file = .record(try await self.views.record(record))
            } else {
                file = .gone(id: id.rawValue)
            }
        }
        return String(buffer: JSONCoding.encode(EventBody(event, file: file)))
    }
}
