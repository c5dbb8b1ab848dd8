import FileResponses
import HTTPTypes
import NIOCore

/// What a path was found to name and how it is sent (its plan and validator), trusted for a
/// second as the answer cache trusts whole answers: the requests that cache cannot take (ranges,
/// preconditions, large files) then cost an answer decided anew from the plan, not a path walk,
/// a sidecar probe and a plan made again.
///
/// A file's bytes held in memory are one version with their validator. A large file is held open
/// with its plan and sent only while it is still the planned file (device, inode, size, mtime,
/// ctime: one `fstat` per answer), so a file rewritten in place or removed is planned anew at once
/// and its answer never mixes two versions; a file renamed over it is seen within the second, as
/// nginx's open_file_cache sees it.
final class PlanCache: Sendable {
    struct Key: Hashable {
        let path: String
        let acceptEncoding: String?
        /// Ranges are never gzipped on the fly: the plan differs.
        let isRange: Bool

        init(path: Substring, request: HTTPRequest) {
            self.init(path: path, acceptEncoding: request.headerFields.value(of: .acceptEncoding), isRange: request.headerFields.contains(.range))
        }

        init(path: Substring, acceptEncoding: String?, isRange: Bool) {
            self.path = String(path)
            self.acceptEncoding = acceptEncoding
            self.isRange = isRange
        }
    }

    struct Entry {
        let plan: StaticPlan
        let body: StaticBody
        /// The file as `FileResponse` describes it, validators formatted once.
        let response: FileResponse
        let endpointPath: String
        /// The head of its single-range answers.
        let partialHead: PartialHead?

        /// Whether the body may still be sent: bytes in memory, or an open file that is still the
        /// planned one.
        var isCurrent: Bool {
            guard case .file(let file) = self.body.content else { return true }
            return file.isStill(self.plan.served.status.identity)
        }
    }

    private let plans = TrustedCache<Key, Entry>()

    /// The plan stored under `key` less than a second ago.
    func lookup(_ key: Key) -> Entry? {
        self.plans.lookup(key)
    }

    /// What an open file counts for against the cache's 64 MiB: at most 256 are held open, so that
    /// a descriptor limit of 1,024 (a common default) stays for the connections.
    static let openFileWeight = 256 << 10

    /// Keeps a plan with its bytes or its open file.
    func store(_ entry: Entry, for key: Key) {
        let bytes =
            switch entry.body.content {
            case .memory(let bytes): bytes.readableBytes
            case .file: Self.openFileWeight
            }
        self.plans.store(entry, bytes: bytes, for: key)
    }

    /// Forgets the plan under `key` (its file changed).
    func remove(_ key: Key) {
        self.plans.remove(key)
    }

    /// Forgets the plans no longer trusted, closing the files only they held open.
    func removeExpired() {
        self.plans.removeExpired()
    }
}
