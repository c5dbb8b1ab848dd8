import App
import HummingbirdTesting
import Testing

@Suite struct ConfigurationTests {
    @Test(arguments: [
        ("1048576", Int64(1_048_576)),
        ("512MiB", Int64(512) << 20),
        ("5GiB", Int64(5) << 30),
        ("10GB", Int64(10_000_000_000)),
        ("1.5MB", Int64(1_500_000)),
        ("64k", Int64(65_536)),
        (" 2 KiB ", Int64(2048)),
        ("0", Int64(0)),
    ])
    func sizesAcceptBytesAndUnits(text: String, bytes: Int64) {
        #expect(ByteSize(parsing: text)?.bytes == bytes)
    }

    @Test(arguments: ["", "-1", "5 GiBs", "GiB", "1.5", "99999999999TB", "1e3"])
    func malformedSizesAreRefused(text: String) {
        #expect(ByteSize(parsing: text) == nil)
    }

    @Test func sizesPrintInTheLargestExactUnit() {
        #expect(ByteSize(bytes: 5 << 30).description == "5GiB")
        #expect(ByteSize(bytes: 1000).description == "1000")
    }

    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)),
        ("30s", Duration.seconds(30)),
        ("5m", Duration.seconds(300)),
        ("2h", Duration.seconds(7200)),
        ("7d", Duration.seconds(604_800)),
        ("1.5s", Duration.milliseconds(1500)),
        ("10", Duration.seconds(10)),
    ])
    func durationsAcceptSuffixes(text: String, duration: Duration) {
        #expect(DurationText(parsing: text)?.duration == duration)
    }

    @Test(arguments: ["", "-1s", "5 weeks", "s", "1y"])
    func malformedDurationsAreRefused(text: String) {
        #expect(DurationText(parsing: text) == nil)
    }
}
