import CompressNIO
import NIOConcurrencyHelpers
public import NIOCore

/// Gzip on the fly for compressible static files, with the results kept in a bounded memory cache
/// keyed by the file's validator, so a file is compressed once per version, not once per request.
public final class GzipEncoder: Sendable {
    /// Files smaller than this are sent as they are (the headers would eat the gain).
    public static let minimumSize = 1024
    /// Files larger than this are sent as they are (compressing them would hold them in memory).
    public static let maximumSize = 8 << 20

    private struct Cache {
        var entries: [String: ByteBuffer] = [:]
        var order: [String] = []
        var bytes = 0
    }

    private let cache = NIOLockedValueBox(Cache())
    private let capacity: Int

    /// An encoder whose cache holds at most `capacity` bytes of compressed output.
    public init(capacity: Int = 64 << 20) {
        self.capacity = capacity
    }

    /// Whether a media type gains from compression: text, JSON, JavaScript, CSS, SVG, XML, wasm;
    /// not images (but SVG), audio, video, archives or fonts (but TTF/OTF).
    public static func isCompressible(_ mediaType: String) -> Bool {
        mediaType.hasPrefix("text/") || mediaType.hasSuffix("+json") || mediaType.hasSuffix("+xml")
            || [
                "application/json", "application/javascript", "application/xml", "application/wasm", "application/manifest+json",
                "image/svg+xml", "font/ttf", "font/otf", "application/vnd.ms-fontobject",
            ].contains(mediaType)
    }

    /// The gzip of `content` at level 6 (nginx's and Starlette's choice of speed against size), uncached.
    public static func compress(_ content: ByteBuffer) throws -> ByteBuffer {
        var input = content
        return try input.compress(with: .gzip(configuration: .init(compressionLevel: .compressionLevel6)))
    }

    /// The gzip cached under `key`, if any.
    public func cached(key: String) -> ByteBuffer? {
        self.cache.withLockedValue { $0.entries[key] }
    }

    /// The gzip of `content`, from the cache when `key` (the file's validator) was compressed before.
    public func gzip(_ content: ByteBuffer, key: String) throws -> ByteBuffer {
        if let cached = self.cached(key: key) { return cached }
        let compressed = try Self.compress(content)
        self.cache.withLockedValue { cache in
            guard cache.entries[key] == nil, compressed.readableBytes <= self.capacity else { return }
            while cache.bytes + compressed.readableBytes > self.capacity, !cache.order.isEmpty {
                let oldest = cache.order.removeFirst()
                cache.bytes -= cache.entries.removeValue(forKey: oldest)?.readableBytes ?? 0
            }
            cache.entries[key] = compressed
            cache.order.append(key)
            cache.bytes += compressed.readableBytes
        }
        return compressed
    }
}
