import CVips
import Foundation

/// Thumbnails through libvips: the header is read first and an image over the pixel limit is
/// refused before any pixel is decoded (decompression bombs); the first page or frame is shrunk
/// while loading where the format allows (JPEG's DCT scaling, WebP's and PDF's own), turned by its
/// EXIF orientation, never upscaled, and written as WebP without metadata.
public struct Thumbnailer: Sendable {
    /// Long-edge sizes made for each image, in pixels.
    public let sizes: [Int]
    /// Most pixels an image may have, summed over its pages or frames.
    public let maxPixels: Int64
    /// Longest one thumbnail may take to make; then it is given up.
    public let timeout: Duration

    /// Sets what libvips and libjpeg read from the environment (the most memory one progressive
    /// JPEG may take to decode, libvips' prefix), unless set already: first thing in a program's
    /// `main`, before it starts a thread. Starting libvips does it too, if no one did.
    public static func prepareEnvironment() {
        wharf_vips_prepare_environment()
    }

    /// A thumbnailer; starts libvips once per process.
    public init(sizes: [Int], maxPixels: Int64, timeout: Duration = .seconds(60)) throws {
        guard wharf_vips_start() == 0 else { throw ThumbnailError("libvips could not start: \(Self.takeError())") }
        self.sizes = sizes
        self.maxPixels = maxPixels
        self.timeout = timeout
    }

    /// The header of the image at `path`.
    public func probe(_ path: String) throws -> ImageHeader {
        var width: Int32 = 0
        var height: Int32 = 0
        var pages: Int32 = 0
        var loader: UnsafePointer<CChar>?
        guard wharf_vips_probe(path, &width, &height, &pages, &loader) == 0 else {
            throw ThumbnailError("libvips cannot read this image: \(Self.takeError())")
        }
        return ImageHeader(width: Int(width), height: Int(height), pages: Int(pages), loader: loader.map { String(cString: $0) } ?? "unknown")
    }

    /// Refuses an image whose pixels, summed over its pages, pass the limit.
    public func check(_ header: ImageHeader) throws {
        guard header.pixels <= self.maxPixels else {
            throw ThumbnailError(
                "The image has \(header.pixels) pixels (\(header.width)×\(header.height)\(header.pages > 1 ? " × \(header.pages) pages" : "")), more than the limit of \(self.maxPixels)."
            )
        }
    }

    /// Writes the thumbnail of `path` of long edge `size` as WebP at `output`; its dimensions.
    /// A thumbnail that takes longer than `timeout` is given up rather than hold a worker of the
    /// job queue (libvips looks between the regions it computes, so one region's work ends first).
    @discardableResult
    public func write(_ path: String, size: Int, to output: String) throws -> (width: Int, height: Int) {
        var width: Int32 = 0
        var height: Int32 = 0
        var timedOut: Int32 = 0
        let milliseconds = Int32(min(self.timeout / .milliseconds(1), Double(Int32.max)))
        guard wharf_vips_thumbnail_webp(path, Int32(size), output, milliseconds, &width, &height, &timedOut) == 0 else {
            let error = Self.takeError()
            if timedOut != 0 {
                throw ThumbnailError("Making the \(size)-pixel thumbnail took longer than \(self.timeout), the limit (--thumbnail-timeout).")
            }
            // libjpeg's words when a progressive JPEG needs more than its memory budget.
            if error.contains("Backing store not supported") {
                throw ThumbnailError(
                    "The image is a progressive JPEG that needs more than \(WHARF_JPEG_MEMORY)B of memory to decode (its whole coefficient array is held at once); a baseline JPEG of it would do."
                )
            }
            throw ThumbnailError("libvips could not make the thumbnail: \(error)")
        }
        return (Int(width), Int(height))
    }

    /// The rendition name of the thumbnail of long edge `size`.
    public static func renditionName(size: Int) -> String {
        "thumbnail-\(size).webp"
    }

    static func takeError() -> String {
        guard let text = wharf_vips_take_error() else { return "unknown error" }
        defer { free(text) }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// What the header of an image says.
public struct ImageHeader: Sendable, Equatable {
    /// Width and height of one page, in pixels.
    public let width: Int
    public let height: Int
    /// Pages (of a PDF) or frames (of an animation).
    public let pages: Int
    /// The libvips loader that reads it (`jpegload`, `pngload`, ...).
    public let loader: String

    /// The pixels of every page.
    public var pixels: Int64 { Int64(self.width) * Int64(self.height) * Int64(self.pages) }
}

/// Why no thumbnail could be made.
public struct ThumbnailError: Error, CustomStringConvertible {
    /// The reason, for the job's record and the API's detail.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
