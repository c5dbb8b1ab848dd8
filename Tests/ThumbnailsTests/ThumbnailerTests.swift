import Foundation
import Jobs
import Logging
import Metrics
import NIOCore
import Storage
import TestSupport
import Testing
import Thumbnails

/// Thumbnails of real images, made in the test with libvips' own command line (`vips`).
@Suite struct ThumbnailerTests {
    /// An image of `width`×`height` pixels at `path` (the format by its extension).
    static func image(_ path: String, width: Int, height: Int) async throws {
        let noise = path + ".v"
        for arguments in [["gaussnoise", noise, "\(width)", "\(height)"], ["copy", noise, path]] {
            let made = try await Command.run("vips", arguments)
            #expect(made.status == 0, "vips \(arguments): \(made.stderr)")
        }
        try? FileManager.default.removeItem(atPath: noise)
    }

    /// Width and height of an image, as libvips' header reader says.
    static func size(_ path: String) async throws -> (Int, Int) {
        let width = try await Command.run("vipsheader", ["-f", "width", path]).text
        let height = try await Command.run("vipsheader", ["-f", "height", path]).text
        return (Int(width.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1, Int(height.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
    }

    @Test(arguments: ["jpg", "png", "webp", "gif", "tif"])
    func everyFormatGetsAWebPThumbnailOfItsLongEdge(format: String) async throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/source." + format
        try await Self.image(source, width: 600, height: 300)
        let thumbnailer = try Thumbnailer(sizes: [256, 1024], maxPixels: 50_000_000)
        let header = try thumbnailer.probe(source)
        #expect(header.width == 600 && header.height == 300 && header.pages == 1)
        let small = directory.path + "/small.webp"
        #expect(try thumbnailer.write(source, size: 256, to: small) == (256, 128))
        let data = try Data(contentsOf: URL(fileURLWithPath: small))
        #expect(data.prefix(4) == Data("RIFF".utf8) && data.dropFirst(8).prefix(4) == Data("WEBP".utf8))
        // Never upscaled: the 1024 thumbnail of a 600-pixel image keeps 600.
        let large = directory.path + "/large.webp"
        #expect(try thumbnailer.write(source, size: 1024, to: large) == (600, 300))
        #expect(try await Self.size(large) == (600, 300))
    }

    @Test func anImageOverThePixelLimitIsRefusedFromItsHeader() async throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/wide.png"
        try await Self.image(source, width: 400, height: 300)
        let thumbnailer = try Thumbnailer(sizes: [256], maxPixels: 100_000)
        let header = try thumbnailer.probe(source)
        let refusal = #expect(throws: ThumbnailError.self) { try thumbnailer.check(header) }
        #expect(refusal?.description == "The image has 120000 pixels (400×300), more than the limit of 100000.")
    }

    @Test func bytesThatAreNoImageAreRefusedClearly() throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/not-an-image.jpg"
        try Data("this is text, not a JPEG".utf8).write(to: URL(fileURLWithPath: source))
        let thumbnailer = try Thumbnailer(sizes: [256], maxPixels: 50_000_000)
        let refusal = #expect(throws: ThumbnailError.self) { try thumbnailer.probe(source) }
        #expect(refusal?.description.hasPrefix("libvips cannot read this image:") == true)
    }

    /// The job over real storage: an uploaded PNG gets both thumbnails, shared by every file of
    /// its blob and removed with it.
    @Test func theJobMakesEverySizeAndTheBlobTakesThemAlong() async throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/photo.png"
        try await Self.image(source, width: 1500, height: 1000)
        let opened = try await LocalStorage.open(root: directory.path + "/storage", durable: false)
        let files = opened.files.enqueuing(ThumbnailJob.jobs(contentType:digest:))
        let staging = try await files.stage()
        try await staging.write(ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: source))))
        let record = try await files.create(
            [
                NewFile(
                    staged: try await staging.finish(),
                    metadata: FileMetadata(name: "photo.png"),
                    contentType: "image/png",
                    declaredContentType: nil
                )
            ],
            as: .local
        )[0]
        let handler = ThumbnailJob(files: files, thumbnailer: try Thumbnailer(sizes: [256, 1024], maxPixels: 50_000_000))
        let job = try #require(try await opened.jobs.claim())
        #expect(job.kind == ThumbnailJob.kind && job.subject == record.digest.hex)
        try await handler.run(job)
        let small = try #require(files.rendition(of: record.digest, named: "thumbnail-256.webp"))
        let large = try #require(files.rendition(of: record.digest, named: "thumbnail-1024.webp"))
        let sizes = [try await Self.size(small), try await Self.size(large)]
        #expect(sizes.map(\.0) == [256, 1024] && sizes.map(\.1) == [171, 683])
        try await handler.run(job)  // again: nothing to do, nothing broken
        try await files.delete(record.id, as: .local)
        #expect(!FileManager.default.fileExists(atPath: small) && !FileManager.default.fileExists(atPath: large))
    }
}
