import Compression
import NIOCore

/// Which precompressed sidecars (`name.br`, `name.zst`, `name.gz`) a file has, probed at most
/// once a second per file: probing three names on every request would quadruple the lookups of a
/// file that has none. nginx's open_file_cache trusts such answers for 60 s by default; here a
/// sidecar added or removed is noticed within a second. The chosen sidecar itself is still looked
/// up (and validated) on every request.
final class SidecarCache: Sendable {
    private let probed: TrustedCache<String, [ContentCoding]>

    init(validity: TimeAmount = .seconds(1), capacity: Int = 16384) {
        self.probed = TrustedCache(validity: validity, capacity: capacity)
    }

    /// The codings that have a regular sidecar file next to `path` in `directory`.
    func codings(of path: String, in directory: MountDirectory) -> [ContentCoding] {
        if let codings = self.probed.lookup(path) { return codings }
        let codings = ContentCoding.allCases.filter { directory.lookup(path + $0.fileSuffix)?.status.isRegular == true }
        self.probed.store(codings, bytes: 0, for: path)
        return codings
    }
}
