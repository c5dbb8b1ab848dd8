import Compression
import Testing

@Suite struct NegotiationTests {
    static let all = ContentCoding.allCases

    @Test(
        arguments: [
            ("gzip, deflate, br, zstd", all, ContentCoding.brotli as ContentCoding?),
            ("gzip, deflate, br", all, .brotli),
            ("gzip, deflate", all, .gzip),
            ("br;q=0.5, gzip;q=0.8", all, .gzip),
            ("br;q=0, *", all, .zstd),
            ("*;q=0", all, nil),
            ("identity", all, nil),
            ("x-gzip", all, .gzip),
            ("GZIP;Q=1", all, .gzip),
            ("br", [.gzip], nil),
            ("", all, nil),
            ("zstd;q=0.9, br;q=0.9", all, .brotli),
            ("zstd;q=1.0, br;q=0.9", all, .zstd),
            ("gzip;q=abc", all, nil),
        ] as [(String, [ContentCoding], ContentCoding?)]
    )
    func qValuesThenServerPreferenceDecide(header: String, available: [ContentCoding], chosen: ContentCoding?) {
        #expect(ContentCoding.negotiate(header, available: available) == chosen)
    }

    @Test func noHeaderMeansIdentity() {
        #expect(ContentCoding.negotiate(nil, available: Self.all) == nil)
    }
}
