import Compression
import NIOConcurrencyHelpers
import NIOCore

/// Which precompressed sidecars (`name.br`, `name.zst`, `name.gz`) a file has, probed at most
/// once a second per file: probing three names on every request would quadruple the lookups of a
/// file that has none. nginx's open_file_cache trusts such answers for 60 s by default; here a
/// sidecar added or removed is noticed within a second. The chosen sidecar itself is still looked
/// up (and validated) on every request.
final class SidecarCache: Sendable {
    private struct Entry {
        let codings: [ContentCoding]
        let probed: NIODeadline
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let validity: TimeAmount
    private let capacity: Int

    init(validity: TimeAmount = .seconds(1), capacity: Int = 16384) {
        self.validity = validity
        self.capacity = capacity
    }

    /// The codings that have a regular sidecar file next to `path` in `directory`.
    func codings(of path: String, in directory: MountDirectory) -> [ContentCoding] {
        let now = NIODeadline.now()
        if let entry = self.entries.withLockedValue({ $0[path] }), now - entry.probed < self.validity { return entry.codings }
        let codings = ContentCoding.allCases.filter { directory.lookup(path + $0.fileSuffix)?.status.isRegular == true }
        self.entries.withLockedValue { entries in
            if entries.count >= self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[path] = Entry(codings: codings, probed: now)
        }
        return codings
    }
}
