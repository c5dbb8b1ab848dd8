import GRDB
import Synchronization

/// Read-only connections for point reads (one row by its key: a user, a session, a share link, a
/// file's record) made on the calling thread.
///
/// Such a read touches a few pages of an index and a table, in the page cache in a running server;
/// sent to a reader of GRDB's pool, it cost two thread switches and more CPU than the read itself
/// (on a server on one core, `GET /api/files/{id}` took 185–220 µs of CPU through the pool, 114–129
/// µs read in place). The connections are apart from the pool's, so a point read never waits for a
/// reader that a long read (a listing) holds: each caller takes an idle connection, or opens one
/// when none is idle, and gives it back; there are as many as point reads ever ran at once. Reads
/// that may touch many rows stay on the pool, off the calling thread.
final class PointReaders: Sendable {
    private let path: String
    private let configuration: Configuration
    private let idle = Mutex<[DatabaseQueue]>([])

    /// Connections to the database at `path`, opened when first needed.
    init(path: String) {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        self.configuration = configuration
    }

    /// Runs `body`, one statement on the snapshot SQLite gives it (no transaction around it), on a
    /// connection of its own.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let connection = try self.idle.withLock { $0.popLast() } ?? DatabaseQueue(path: self.path, configuration: self.configuration)
        defer { self.idle.withLock { $0.append(connection) } }
        return try connection.unsafeRead(body)
    }
}
