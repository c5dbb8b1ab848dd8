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

    /// The media types that get thumbnails: the images libvips reads with loaders it vets for
    /// untrusted input, and PDF. Formats only an unvetted loader reads (BMP or PSD through
    /// ImageMagick, JPEG 2000, ...) get none, and neither does SVG, whose loader fetches and runs
    /// more than pixels.
    private static let thumbnailedTypes: Set<String> = [
        "image/jpeg", "image/png", "image/webp", "image/gif", "image/tiff",
        "image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence", "image/avif",
        "application/pdf",
    ]

    /// What the API says of a file whose type gets no thumbnail.
    public static let unthumbnailedDetail =
        "This file has no thumbnail: thumbnails are made of JPEG, PNG, WebP, GIF, TIFF, HEIF and AVIF images and of PDFs."

    /// Whether content of this type (parameters aside) gets thumbnails. A media type is ASCII:
    /// read byte by byte, as a listing asks it of every record.
    public static func wants(_ contentType: String) -> Bool {
        let essence = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }.lazy
            .filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
            .map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }
        return Self.thumbnailedTypes.contains(String(decoding: essence, as: UTF8.self))
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
