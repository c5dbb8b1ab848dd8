/// The embedded default: a storage root on the local disk holding the SQLite catalog
/// (`wharf.sqlite`), the blobs (`blobs/`) and the staging files (`tmp/`).
///
/// The only place that knows this layout, so the server and the command line always open the
/// same storage the same way.
public enum LocalStorage {
    /// What opening found.
    public struct Opened: Sendable {
        /// The files of the root.
        public let files: FilesService
        /// The users of the root.
        public let users: UserAccounts
        /// The sign-in sessions of the root.
        public let sessions: SessionStore
        /// The background jobs of the root.
        public let jobs: JobQueue
        /// The live events of the root.
        public let events: EventLog
        /// The resumable (tus) uploads of the root, under `resumable/`.
        public let resumable: ResumableUploads
        /// What other processes commit to the root's metadata database.
        public let otherProcessCommits: OtherProcessCommits
        /// How many staging files an earlier crash left behind (now removed; none but when serving).
        public let sweptStagingFiles: Int
    }

    /// How a process opens a storage root.
    public enum Access: Sendable {
        /// Beside a server that may be running (`wharf user`, `files`, `jobs`): every file is
        /// left as it is.
        case shared
        /// As its server (`wharf serve`), claimed for the whole run (`RootClaim`): the staging
        /// files a crash left behind are removed.
        case serving
        /// For `wharf scrub`, which removes blobs and records what it finds: claimed as a server
        /// claims it.
        case scrubbing
    }

    /// Opens the storage root, creating it when `create` is on (else `notFound` when it holds no
    /// storage); `inUse` when `access` claims it and another process holds it.
    public static func open(root: String, durable: Bool, create: Bool = true, access: Access = .shared) async throws -> Opened {
        let databasePath = root + "/wharf.sqlite"
        if !create && !SystemFile.exists(databasePath) { throw StorageError.noStorage(root) }
        let blobs: LocalBlobStore
        do {
            blobs = try LocalBlobStore(root: root, durable: durable)
        } catch let error as StorageError {
            throw StorageError.unusableRoot(root, cause: error.cause ?? error)
        }
        var swept = 0
        switch access {
        case .shared: break
        case .serving:
            // Claimed first: the staging files of a server that still runs are no crash's leftovers.
            try RootClaim.claim(root: root, command: "serve", fix: "Stop it or wait for it to end, or pass another --storage DIR (WHARF_STORAGE).")
            swept = try await blobs.sweepStaging()
        case .scrubbing:
            try RootClaim.claim(
                root: root,
                command: "scrub",
                fix: "Stop it or wait for it to end: a running server scrubs its root itself every --scrub-interval."
            )
        }
        let catalog = try SQLiteCatalog(path: databasePath, durable: durable)
        return Opened(
            files: FilesService(blobs: blobs, catalog: catalog),
            users: UserAccounts(catalog: catalog),
            sessions: SessionStore(catalog: catalog),
            jobs: JobQueue(catalog: catalog),
            events: EventLog(catalog: catalog),
            resumable: try ResumableUploads(root: root, durable: durable),
            otherProcessCommits: OtherProcessCommits(catalog: catalog),
            sweptStagingFiles: swept
        )
    }
}
