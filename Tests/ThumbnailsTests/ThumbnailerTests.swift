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

    /// (HEIC and AVIF through Debian's libheif module of libvips.)
    @Test(arguments: ["jpg", "png", "webp", "gif", "tif", "heic", "avif"])
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

    /// A JPEG whose EXIF says "turn 90° clockwise" (orientation 6), as phones write them, and
    /// names its camera: a landscape 600×300 grid of pixels becomes a portrait thumbnail, and
    /// nothing of the source's EXIF is kept (libvips writes a minimal block of its own, orientation 1).
    @Test func aThumbnailIsTurnedByItsEXIFOrientationAndKeepsNoSourceMetadata() async throws {
        let directory = try TemporaryDirectory()
        let plain = directory.path + "/plain.jpg"
        try await Self.image(plain, width: 600, height: 300)
        let source = directory.path + "/rotated.jpg"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: plain))
        bytes.insert(contentsOf: Self.exif(make: "WharfCam", orientation: 6), at: 2)
        try bytes.write(to: URL(fileURLWithPath: source))
        #expect(try await Command.run("vipsheader", ["-f", "exif-ifd0-Make", source]).text.hasPrefix("WharfCam"))
        let output = directory.path + "/thumbnail.webp"
        #expect(try Thumbnailer(sizes: [256], maxPixels: 50_000_000).write(source, size: 256, to: output) == (128, 256))
        #expect(try await Self.size(output) == (128, 256))
        let thumbnail = try Data(contentsOf: URL(fileURLWithPath: output))
        #expect(thumbnail.range(of: Data("WharfCam".utf8)) == nil, "the camera's name is gone")
        let orientation = try await Command.run("vipsheader", ["-f", "exif-ifd0-Orientation", output]).text
        #expect(orientation.isEmpty || orientation.hasPrefix("1 "))
    }

    /// An APP1 segment holding an EXIF block (big-endian TIFF) with a camera make and an orientation.
    static func exif(make: String, orientation: UInt8) -> [UInt8] {
        let name = Array(make.utf8) + [0]
        let stringOffset = UInt8(8 + 2 + 2 * 12 + 4)
        let tiff: [UInt8] =
            [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8, 0, 2]
            + [0x01, 0x0F, 0, 2, 0, 0, 0, UInt8(name.count), 0, 0, 0, stringOffset]
            + [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0]
            + [0, 0, 0, 0] + name
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    /// An animated GIF of three 160×100 frames: the thumbnail is of the first frame alone, and the
    /// pixel guard sums every frame.
    @Test func anAnimationGivesItsFirstFrameAndCountsEveryFrame() async throws {
        let directory = try TemporaryDirectory()
        let frames = (0..<3).map { directory.path + "/frame\($0).png" }
        for frame in frames {
            #expect(try await Command.run("vips", ["gaussnoise", frame + ".v", "160", "100"]).status == 0)
            #expect(try await Command.run("vips", ["cast", frame + ".v", frame, "uchar"]).status == 0)
        }
        // The frames one above the other, saved with a page height: how libvips writes an animation.
        let pair = directory.path + "/pair.png"
        let strip = directory.path + "/strip.png"
        let source = directory.path + "/animated.gif"
        #expect(try await Command.run("vips", ["join", frames[0], frames[1], pair, "vertical"]).status == 0)
        #expect(try await Command.run("vips", ["join", pair, frames[2], strip, "vertical"]).status == 0)
        #expect(try await Command.run("vips", ["gifsave", strip, source, "--page-height", "100"]).status == 0)

        let thumbnailer = try Thumbnailer(sizes: [256], maxPixels: 50_000_000)
        let header = try thumbnailer.probe(source)
        #expect(header.width == 160 && header.height == 100 && header.pages == 3)
        let output = directory.path + "/thumbnail.webp"
        #expect(try thumbnailer.write(source, size: 256, to: output) == (160, 100))
        #expect(try await Self.size(output) == (160, 100))
        let pages = try await Command.run("vipsheader", ["-f", "n-pages", output])
        #expect(pages.status != 0 || pages.text.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "one frame, not an animation")

        let strict = try Thumbnailer(sizes: [256], maxPixels: 40_000)
        let refusal = #expect(throws: ThumbnailError.self) { try strict.check(try strict.probe(source)) }
        #expect(refusal?.description == "The image has 48000 pixels (160×100 × 3 pages), more than the limit of 40000.")
    }

    /// A PDF (written here by hand: 600×300-point pages with a filled rectangle) gets the
    /// thumbnail of its first page, through libvips' poppler module.
    @Test func aPDFGetsTheThumbnailOfItsFirstPage() async throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/document.pdf"
        try Data(Self.pdf(pages: 2).utf8).write(to: URL(fileURLWithPath: source))
        let thumbnailer = try Thumbnailer(sizes: [256], maxPixels: 50_000_000)
        let header = try thumbnailer.probe(source)
        #expect(header.loader.hasPrefix("pdfload") && header.pages == 2)
        let output = directory.path + "/thumbnail.webp"
        let (width, height) = try thumbnailer.write(source, size: 256, to: output)
        #expect(width == 256 && height == 128, "the page's 2:1 shape, to the long edge")
    }

    /// A minimal PDF of `pages` pages of 600×300 points, each with a filled rectangle, with a
    /// correct cross-reference table.
    static func pdf(pages: Int) -> String {
        var objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
        let kids = (0..<pages).map { "\(3 + 2 * $0) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pages) >>")
        let content = "0.2 0.4 0.8 rg 30 30 540 240 re f"
        for page in 0..<pages {
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 300] /Contents \(4 + 2 * page) 0 R >>")
            objects.append("<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream")
        }
        var text = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(text.utf8.count)
            text += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let table = text.utf8.count
        text += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { text += String(repeating: "0", count: 10 - String(offset).count) + "\(offset) 00000 n \n" }
        text += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(table)\n%%EOF\n"
        return text
    }

    /// A thumbnail that takes longer than its limit is given up, its decoding included (the
    /// loading is lazy: it runs while the thumbnail is written), and says why; the same image
    /// with time enough gets its thumbnail.
    @Test func aThumbnailThatTakesTooLongIsGivenUp() async throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/slow.png"
        try await Self.image(source, width: 4000, height: 3000)
        let hurried = try Thumbnailer(sizes: [256], maxPixels: 50_000_000, timeout: .milliseconds(1))
        let refusal = #expect(throws: ThumbnailError.self) { try hurried.write(source, size: 256, to: directory.path + "/hurried.webp") }
        #expect(refusal?.description == "Making the 256-pixel thumbnail took longer than 0.001 seconds, the limit (--thumbnail-timeout).")
        let patient = try Thumbnailer(sizes: [256], maxPixels: 50_000_000, timeout: .seconds(60))
        #expect(try patient.write(source, size: 256, to: directory.path + "/patient.webp") == (256, 192))
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

    /// A decompression bomb's trick: a PNG whose header claims 100,000 × 100,000 pixels and holds
    /// almost nothing. The header alone is read, and the guard refuses it.
    @Test func aCraftedHeaderClaimingAHugeImageIsRefusedWithoutDecoding() throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/bomb.png"
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return Self.bigEndian(UInt32(data.count)) + body + Self.bigEndian(Self.crc32(body))
        }
        let side = Self.bigEndian(100_000)
        let claimed = side + side + [8, 2, 0, 0, 0]
        let png =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", claimed)
            + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
            + chunk("IEND", [])
        try Data(png).write(to: URL(fileURLWithPath: source))
        let thumbnailer = try Thumbnailer(sizes: [256], maxPixels: 50_000_000)
        let header = try thumbnailer.probe(source)
        #expect(header.width == 100_000 && header.height == 100_000)
        let refusal = #expect(throws: ThumbnailError.self) { try thumbnailer.check(header) }
        #expect(refusal?.description == "The image has 10000000000 pixels (100000×100000), more than the limit of 50000000.")
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// CRC-32 (IEEE), as PNG chunks carry it.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    @Test func bytesThatAreNoImageAreRefusedClearly() throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/not-an-image.jpg"
        try Data("this is text, not a JPEG".utf8).write(to: URL(fileURLWithPath: source))
        let thumbnailer = try Thumbnailer(sizes: [256], maxPixels: 50_000_000)
        let refusal = #expect(throws: ThumbnailError.self) { try thumbnailer.probe(source) }
        #expect(refusal?.description.hasPrefix("libvips cannot read this image:") == true)
    }

    /// Formats that only loaders libvips does not vet for untrusted input read (BMP through
    /// ImageMagick, PPM through its own unfuzzed loader) are refused before their bytes are parsed,
    /// and their types get no thumbnail job; PDF's loader stays open (see the test above).
    @Test(arguments: ["bmp", "ppm"])
    func aFormatOnlyAnUnvettedLoaderReadsIsRefused(format: String) async throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/source." + format
        try await Self.image(source, width: 60, height: 30)
        let thumbnailer = try Thumbnailer(sizes: [256], maxPixels: 50_000_000)
        let refusal = #expect(throws: ThumbnailError.self) { try thumbnailer.probe(source) }
        #expect(refusal?.description.hasPrefix("libvips cannot read this image:") == true)
        #expect(!ThumbnailJob.wants("image/bmp") && !ThumbnailJob.wants("image/x-portable-pixmap"))
        #expect(ThumbnailJob.wants("image/jpeg") && ThumbnailJob.wants("application/pdf"))
    }

    /// A media type is matched by its essence: case and parameters aside.
    @Test func aMediaTypeIsMatchedWithoutItsCaseOrParameters() {
        #expect(ThumbnailJob.wants("Image/PNG") && ThumbnailJob.wants("image/webp ; q=1") && ThumbnailJob.wants("application/pdf;version=1.7"))
        #expect(!ThumbnailJob.wants("image/svg+xml") && !ThumbnailJob.wants("text/plain; charset=utf-8") && !ThumbnailJob.wants(""))
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
