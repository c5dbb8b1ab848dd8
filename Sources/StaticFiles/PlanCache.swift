import Glibc
import HTTPTypes
import NIOCore

/// What a path was found to name and how it is sent (its plan and validator), trusted for a
/// second as the answer cache trusts whole answers: the requests that cache cannot take (ranges,
/// preconditions, large files) then cost an answer decided anew from the plan and, for a large
/// file, one open of it, not a path walk, a sidecar probe and a plan made again.
///
/// A file's bytes held in memory are one version with their validator. A large file is opened
/// again for each answer and sent only while it is still the planned file (device, inode, size,
/// mtime, ctime), so a file changed on disk is planned anew at once and its answer never mixes
/// two versions.
final class PlanCache: Sendable {
    struct Key: Hashable {
        let path: String
        let acceptEncoding: String?
        /// Ranges are never gzipped on the fly: the plan differs.
        let isRange: Bool

        init(path: Substring, request: HTTPRequest) {
            self.path = String(path)
            self.acceptEncoding = request.headerFields[.acceptEncoding]
            self.isRange = request.headerFields.contains(.range)
        }
    }

    /// Where a planned answer's bytes come from.
    enum Content {
        case memory(ByteBuffer)
        /// The planned file, opened for each answer in `directory`.
        case file(MountDirectory)
    }

    struct Entry {
        let plan: StaticPlan
        let hash: String
        let content: Content
        let endpointPath: String

        /// The body of one answer: the bytes in memory, or the planned file newly opened; `nil`
        /// when the file there is no longer the planned one.
        func body() -> StaticBody? {
            switch self.content {
            case .memory(let bytes):
                return StaticBody(content: .memory(bytes), hash: self.hash)
            case .file(let directory):
                guard let descriptor = directory.openForReading(self.plan.served.path) else { return nil }
                guard FileStatus(descriptor: descriptor)?.identity == self.plan.served.status.identity else {
                    close(descriptor)
                    return nil
                }
                return StaticBody(content: .file(descriptor), hash: self.hash)
            }
        }
    }

    private let plans = TrustedCache<Key, Entry>()

    /// The plan stored under `key` less than a second ago.
    func lookup(_ key: Key) -> Entry? {
        self.plans.lookup(key)
    }

    /// Keeps the plan of `body`'s answer: its bytes when they are in memory, else where to open
    /// the file again.
    func store(_ plan: StaticPlan, body: StaticBody, directory: MountDirectory, endpointPath: String, for key: Key) {
        let (content, bytes): (Content, Int) =
            switch body.content {
            case .memory(let bytes): (.memory(bytes), bytes.readableBytes)
            case .file: (.file(directory), 0)
            }
        self.plans.store(Entry(plan: plan, hash: body.hash, content: content, endpointPath: endpointPath), bytes: bytes, for: key)
    }

    /// Forgets the plan under `key` (its file changed).
    func remove(_ key: Key) {
        self.plans.remove(key)
    }
}
