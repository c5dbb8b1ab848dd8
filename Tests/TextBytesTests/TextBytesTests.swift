import Glibc
import NIOCore
import Testing
import TextBytes

@Suite struct PercentDecodingTests {
    @Test(arguments: [
        ("a%20b", "a b"), ("%C3%A9t%C3%A9", "été"), ("plain", "plain"), ("%2f%2F", "//"), ("a+b", "a+b"),
    ])
    func strictDecodingDecodesEveryEscape(text: String, decoded: String) {
        #expect(PercentDecoding.strict(text[...]) == decoded)
    }

    @Test(arguments: ["%", "%2", "%zz", "a%g0", "%C3", "%FF%FE"])
    func strictDecodingRefusesBrokenEscapesAndBytesThatAreNotUTF8(text: String) {
        #expect(PercentDecoding.strict(text[...]) == nil)
    }

    @Test(arguments: [("a+b%20c", "a b c"), ("100%", "100%"), ("%zz", "%zz"), ("%C3%A9", "é"), ("%FF", "\u{FFFD}")])
    func formDecodingReadsPlusAsSpaceAndKeepsBrokenEscapes(text: String, decoded: String) {
        #expect(PercentDecoding.form(text[...]) == decoded)
    }
}

@Suite struct HexTests {
    @Test func digitsOfEitherCaseHaveTheirValueAndOthersNone() {
        #expect(Array("09afAF".utf8).map(Hex.value) == [0, 9, 10, 15, 10, 15])
        #expect(Array("gG/:@`".utf8).allSatisfy { Hex.value($0) == nil })
        #expect(Hex.isDigits("00ffAA".utf8) && !Hex.isDigits("0x".utf8))
    }

    @Test func bytesBecomeTwoLowerCaseDigitsEach() {
        #expect(Hex.lowercase([0x00, 0x0f, 0xab, 0xff]) == "000fabff")
        #expect(Hex.lowercase([UInt8]()) == "")
    }
}

@Suite struct HTTPWhitespaceTests {
    @Test(arguments: [(" \tgzip ;q=1\t ", "gzip ;q=1"), ("   ", ""), ("", ""), ("x", "x"), ("\t a b \t", "a b")])
    func onlySpacesAndTabsAtEitherEndGo(text: String, trimmed: String) {
        #expect(String(text.trimmingHTTPWhitespace()) == trimmed)
    }
}

@Suite struct RFC3339Tests {
    @Test func timesAreUTCWithMicrosecondsOrWholeSeconds() {
        #expect(RFC3339.format(microseconds: 0) == "1970-01-01T00:00:00.000000Z")
        #expect(RFC3339.format(microseconds: 1_795_969_674_123_456) == "2026-11-29T16:27:54.123456Z")
        #expect(RFC3339.format(microseconds: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(RFC3339.format(seconds: 1_795_969_674) == "2026-11-29T16:27:54Z")
        #expect(RFC3339.format(microseconds: 1_000_001) == "1970-01-01T00:00:01.000001Z")
        #expect(RFC3339.format(microseconds: 253_402_300_799_999_999) == "9999-12-31T23:59:59.999999Z")
        #expect(RFC3339.format(seconds: 253_402_300_800) == "10000-01-01T00:00:00Z")
        #expect(RFC3339.format(seconds: -62_167_219_200) == "0000-01-01T00:00:00Z")
        #expect(RFC3339.format(seconds: -62_167_219_201) == "-0001-12-31T23:59:59Z")
    }
}

@Suite struct PositionalReadTests {
    @Test func readsStopAtTheEndOfTheFileAndFailuresCarryErrno() throws {
        let path = "/tmp/wharf-positional-read-\(UInt64.random(in: 0...UInt64.max))"
        let bytes = (0..<300).map { UInt8($0 % 251) }
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
        defer {
            close(fd)
            unlink(path)
        }
        #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == 300)
        let middle = try PositionalRead.read(fd, offset: 100, length: 50, allocator: ByteBufferAllocator())
        #expect(Array(middle.readableBytesView) == Array(bytes[100..<150]))
        let tail = try PositionalRead.read(fd, offset: 280, length: 100, allocator: ByteBufferAllocator())
        #expect(Array(tail.readableBytesView) == Array(bytes[280...]))
        #expect(throws: PositionalRead.Failure.self) { try PositionalRead.read(-1, offset: 0, length: 1, allocator: ByteBufferAllocator()) }
    }
}
