import Foundation
public import Jobs
import NIOCore
import NIOPosix
public import Storage

/// The job that makes a blob's thumbnails: every size not made yet (so running it again is
/// harmless), on threads of its own so that decoding holds none of the server's (the runner's
/// worker count bounds how many run at once). An image libvips
/// cannot read, or one over the pixel limit, fails for good with the reason; a blob deleted since
/// the job was queued needs nothing.
public struct ThumbnailJob: JobHandler {
    /// The kind of thumbnail jobs.
    public static let kind = JobKind(rawValue: "thumbnail")

    let files: FilesService
    let thumbnailer: Thumbnailer

    /// Threads of their own for decoding, one per core, shared by every handler of the process.
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: System.coreCount)
        pool.start()
        return pool
    }()

    /// A handler making `thumbnailer`'s sizes for blobs of `files`.
    public init(files: FilesService, thumbnailer: Thumbnailer) {
        self.files = files
        self.thumbnailer = thumbnailer
    }

    /// Whether content of this type gets thumbnails: raster images and PDF. (SVG is left out: its
    /// loader fetches and runs more than pixels.)
    public static func wants(_ contentType: String) -> Bool {
        let type = contentType.lowercased()
        return (type.hasPrefix("image/") && !type.hasPrefix("image/svg")) || type.hasPrefix("application/pdf")
    }

    /// The jobs new content calls for: one thumbnail job for an image.
    public static func jobs(contentType: String, digest: BlobDigest) -> [JobRequest] {
        self.wants(contentType) ? [JobRequest(kind: Self.kind, subject: digest.hex)] : []
    }

    public var completionEvent: EventKind? { .thumbnailReady }

    public func run(_ job: Job) async throws {
        guard let digest = BlobDigest(hex: job.subject) else { throw JobError.permanent("'\(job.subject)' is not a blob digest.") }
        guard let path = self.files.localPath(of: digest) else { throw JobError.permanent("The blob store keeps no local copy to read.") }
        guard FileManager.default.fileExists(atPath: path) else { return }
        let thumbnailer = self.thumbnailer
        do {
            let header = try await Self.pool.runIfActive { try thumbnailer.probe(path) }
            try thumbnailer.check(header)
            for size in thumbnailer.sizes where self.files.rendition(of: digest, named: Thumbnailer.renditionName(size: size)) == nil {
                try await self.files.makeRendition(of: digest, named: Thumbnailer.renditionName(size: size)) { output in
                    try await Self.pool.runIfActive { _ = try thumbnailer.write(path, size: size, to: output) }
                }
            }
        } catch let error as ThumbnailError {
            throw JobError.permanent(error.description)
        }
    }
}
