import Storage
import Thumbnails

/// What a record says of its thumbnails: made renditions are looked up on disk, and only when
/// some are missing is the job asked where it stands.
struct ThumbnailViews: Sendable {
    let files: FilesService
    let jobs: JobQueue
    let sizes: [Int]

    func body(for record: FileRecord) async throws -> ThumbnailsBody {
        guard ThumbnailJob.wants(record.contentType) else { return ThumbnailsBody(status: "none", sizes: [:]) }
        let made = self.sizes.filter { self.files.rendition(of: record.digest, named: Thumbnailer.renditionName(size: $0)) != nil }
        let urls = Dictionary(uniqueKeysWithValues: made.map { ("\($0)", FileRecordBody.location(record.id) + "/thumbnail?size=\($0)") })
        if made.count == self.sizes.count { return ThumbnailsBody(status: "ready", sizes: urls) }
        let status =
            switch try await self.jobs.latest(kind: ThumbnailJob.kind, subject: record.digest.hex)?.status {
            case .queued, .running: "pending"
            case .failed: "failed"
            case .done, nil: made.isEmpty ? "none" : "ready"
            }
        return ThumbnailsBody(status: status, sizes: urls)
    }

    /// The API's view of a record, its thumbnails included.
    func record(_ record: FileRecord) async throws -> FileRecordBody {
        FileRecordBody(record, thumbnails: try await self.body(for: record))
    }

    func records(_ records: [FileRecord]) async throws -> [FileRecordBody] {
        var bodies: [FileRecordBody] = []
        bodies.reserveCapacity(records.count)
        for record in records { bodies.append(try await self.record(record)) }
        return bodies
    }
}
