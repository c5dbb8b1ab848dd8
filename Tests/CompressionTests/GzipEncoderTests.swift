import CompressNIO
import Compression
import NIOCore
import Testing

@Suite struct GzipEncoderTests {
    @Test func gzipRoundTripsAndIsCachedByKey() throws {
        let encoder = GzipEncoder(capacity: 1 << 20)
        let text = ByteBuffer(string: String(repeating: "body { color: red }\n", count: 500))
        let original = try encoder.gzip(text, key: "v1")
        var compressed = original
        #expect(compressed.readableBytes < text.readableBytes / 5)
        #expect(compressed.getBytes(at: compressed.readerIndex, length: 2) == [0x1F, 0x8B])
        let restored = try compressed.decompress(with: .gzip())
        #expect(restored == text)
        // Same key: the cached bytes, even for other input (the key is the content's validator).
        #expect(try encoder.gzip(ByteBuffer(string: "other"), key: "v1") == original)
    }

    @Test(arguments: [
        ("text/css", true), ("application/json", true), ("text/javascript", true), ("image/svg+xml", true), ("application/wasm", true),
        ("font/ttf", true), ("image/png", false), ("video/mp4", false), ("application/zip", false), ("font/woff2", false),
    ])
    func onlyCompressibleTypesAreCompressed(type: String, compressible: Bool) {
        #expect(GzipEncoder.isCompressible(type) == compressible)
    }
}
