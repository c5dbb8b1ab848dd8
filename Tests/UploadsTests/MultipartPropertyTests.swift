import NIOCore
import Testing
import Uploads

/// Random bodies and random chunkings: the parser never crashes, and either parses exactly what
/// was encoded or fails with a clean `UploadError`.
@Suite struct MultipartPropertyTests {
    /// Payload made mostly of pieces of the delimiter, to stress partial matches.
    static func trickyPayload(boundary: String, using generator: inout SeededGenerator) -> [UInt8] {
        let pieces: [[UInt8]] = [
            Array("\r\n--\(boundary)".utf8).dropLast(), Array("\r\n-".utf8), Array("\r".utf8), Array("--".utf8), Array(boundary.utf8), [0], [0xFF],
        ]
        var payload: [UInt8] = []
        for _ in 0..<Int.random(in: 0...40, using: &generator) {
            if Bool.random(using: &generator) {
                payload += pieces.randomElement(using: &generator)!
            } else {
                payload += (0..<Int.random(in: 0...30, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
        }
        // A full delimiter followed by a boundary character is still payload ("--bX" is not "--b").
        if Bool.random(using: &generator) { payload += Array("\r\n--\(boundary)Z".utf8) }
        return self.isValidPayload(payload, boundary: boundary) ? payload : self.trickyPayload(boundary: boundary, using: &generator)
    }

    /// RFC 2046: a part may not contain its boundary. Here: no delimiter in the payload that a
    /// closing `--`, padding or a line break (or the part's own end) would turn into a boundary.
    static func isValidPayload(_ payload: [UInt8], boundary: String) -> Bool {
        let delimiter = Array("\r\n--\(boundary)".utf8)
        guard payload.count >= delimiter.count else { return true }
        for start in 0...(payload.count - delimiter.count) where Array(payload[start..<start + delimiter.count]) == delimiter {
            let next = start + delimiter.count
            guard next < payload.count, !Array("- \t\r\n".utf8).contains(payload[next]) else { return false }
        }
        return true
    }

    static func randomCuts(count: Int, using generator: inout SeededGenerator) -> [Int] {
        guard count > 1 else { return [] }
        return (0..<Int.random(in: 0...12, using: &generator)).map { _ in Int.random(in: 1..<count, using: &generator) }
    }

    @Test(arguments: 0..<200)
    func encodedFormsParseBackExactlyUnderAnyChunking(seed: Int) throws {
        var generator = SeededGenerator(state: UInt64(seed))
        let boundary = ["b", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "x-y_z=1", String(repeating: "q", count: 70)].randomElement(using: &generator)!
        var form = FormBuilder(boundary: boundary)
        var expected: [[UInt8]] = []
        for index in 0..<Int.random(in: 1...5, using: &generator) {
            let payload = Self.trickyPayload(boundary: boundary, using: &generator)
            form.file("file", fileName: "f\(index).bin", type: "application/octet-stream", payload)
            expected.append(payload)
        }
        let body = form.closed()
        let parts = try parse(body, boundary: boundary, cuts: Self.randomCuts(count: body.count, using: &generator))
        #expect(parts.map(\.body) == expected)
        #expect(parts.map(\.headers.fileName) == expected.indices.map { "f\($0).bin" })
    }

    @Test(arguments: 0..<300)
    func randomBytesNeverCrashTheParser(seed: Int) {
        var generator = SeededGenerator(state: UInt64(seed) &* 7919)
        var body: [UInt8] = []
        // Half the cases start like a real form, so the parser gets past the preamble.
        if seed % 2 == 0 { body += Array("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n".utf8) }
        body += Self.trickyPayload(boundary: "b", using: &generator)
        if Bool.random(using: &generator) { body += Array("\r\n--b--".utf8) }
        do {
            _ = try parse(body, boundary: "b", cuts: Self.randomCuts(count: body.count, using: &generator), maxHeaderSize: 64)
        } catch is UploadError {
            // A clean refusal is a correct outcome for arbitrary bytes.
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }
}
