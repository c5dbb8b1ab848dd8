import NIOCore
import Testing
import Uploads

@Suite struct MultipartParserTests {
    static let clients = ["curl", "requests", "chromium"]

    @Test(arguments: clients)
    func realClientBodiesParseWhole(client: String) throws {
        let fixture = try Fixture(client)
        let parts = try parse(fixture.body, boundary: try fixture.boundary)
        let expected = try Self.expectedParts(client)
        #expect(parts.map(\.headers) == expected.map(\.headers))
        #expect(parts.map { String(decoding: $0.body, as: UTF8.self) } == expected.map { String(decoding: $0.body, as: UTF8.self) })
    }

    @Test(arguments: clients)
    func realClientBodiesParseSplitAtEveryPosition(client: String) throws {
        let fixture = try Fixture(client)
        let whole = try parse(fixture.body, boundary: try fixture.boundary)
        for cut in 1..<fixture.body.count {
            #expect(try parse(fixture.body, boundary: try fixture.boundary, cuts: [cut]) == whole, "cut at \(cut)")
        }
        let byteByByte = try parse(fixture.body, boundary: try fixture.boundary, cuts: Array(1..<fixture.body.count))
        #expect(byteByByte == whole)
    }

    @Test func boundaryLikeBytesInsideThePayloadStayPayload() throws {
        var form = FormBuilder(boundary: "XyZ")
        let tricky = Array("a\r\n--XyZ-almost\r\n--Xy\r\n-\r\n--XyZ".utf8).dropLast(0)
        form.file("file", fileName: "t.bin", type: "application/octet-stream", Array(tricky.dropLast(5)) + Array("\r\n--XyZZ".utf8))
        let body = form.closed()
        let parts = try parse(body, boundary: "XyZ")
        #expect(parts.count == 1)
        #expect(parts[0].body == Array(tricky.dropLast(5)) + Array("\r\n--XyZZ".utf8))
        for cut in 1..<body.count {
            #expect(try parse(body, boundary: "XyZ", cuts: [cut]) == parts, "cut at \(cut)")
        }
    }

    @Test func emptyFilesZeroByteFieldsPreambleAndEpilogue() throws {
        var form = FormBuilder(boundary: "b")
        form.field("description", "")
        form.file("file", fileName: "empty.txt", type: "text/plain", [])
        let body = Array("This is a preamble.\r\n".utf8) + form.closed(epilogue: "This is an epilogue --b\r\n--b--")
        let parts = try parse(body, boundary: "b")
        #expect(parts.map(\.headers.name) == ["description", "file"])
        #expect(parts.allSatisfy { $0.body.isEmpty })
        #expect(parts[1].headers.fileName == "empty.txt")
    }

    @Test func headerLinesMayEndInABareLineFeed() throws {
        let body = Array("--b\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\nContent-Type: text/plain\n\npayload\r\n--b--".utf8)
        let parts = try parse(body, boundary: "b")
        #expect(parts.count == 1 && parts[0].headers.contentType == "text/plain" && parts[0].body == Array("payload".utf8))
    }

    @Test func delimitersWithoutCarriageReturnsAreNotBoundaries() {
        let body = Array("--b\nContent-Disposition: form-data; name=\"f\"\n\npayload\n--b--\n".utf8)
        #expect(throws: UploadError.self) { try parse(body, boundary: "b") }
    }

    @Test func transportPaddingAfterABoundaryIsSkipped() throws {
        let body = Array("--b  \t\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--b--  \r\n".utf8)
        #expect(try parse(body, boundary: "b").map(\.body) == [Array("x".utf8)])
    }

    @Test(arguments: [
        ("form-data; name=\"file\"; filename=\"plain.txt\"", "plain.txt"),
        ("form-data; name=\"file\"; filename*=UTF-8''%E2%82%AC%20rates.txt", "€ rates.txt"),
        ("form-data; name=\"file\"; filename=\"fallback.txt\"; filename*=utf-8'en'%C3%A9t%C3%A9.txt", "été.txt"),
        ("form-data; name=\"file\"; filename=\"a \\\"quoted\\\" name;x.txt\"", "a \"quoted\" name;x.txt"),
        ("FORM-DATA; NAME=file; FILENAME=bare.txt", "bare.txt"),
        ("form-data; name=\"file\"; filename=\"日本語.txt\"", "日本語.txt"),
    ])
    func fileNamesComeFromFilenameStarOrFilename(disposition: String, fileName: String) throws {
        let body = Array("--b\r\nContent-Disposition: \(disposition)\r\n\r\nx\r\n--b--".utf8)
        #expect(try parse(body, boundary: "b").first?.headers.fileName == fileName)
    }

    @Test(arguments: [
        ("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "no Content-Disposition"),
        ("--b\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--b--", "not form-data"),
        ("--b\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--b--", "has no name"),
        ("--b\r\nContent-Disposition: form-data; name=\"f\r\n\r\nx\r\n--b--", "unclosed quote"),
        ("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx", "ends before its closing boundary"),
        ("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--b", "ends before its closing boundary"),
        ("", "ends before its closing boundary"),
        ("--bX\r\n", "ends before its closing boundary"),
        ("--b-x", "ends before its closing boundary"),
        ("--b\r\nno colon here\r\n\r\nx\r\n--b--", "without a colon"),
    ])
    func malformedBodiesFailWithAClearReason(body: String, reason: String) {
        do {
            _ = try parse(Array(body.utf8), boundary: "b")
            Issue.record("parsed a malformed body")
        } catch let error as UploadError {
            #expect(error.code == .malformedBody)
            #expect(error.message.contains(reason), "\(error.message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func oversizedPartHeadersAreRefused() throws {
        let header = "X-Padding: " + String(repeating: "p", count: 2000)
        let body = Array("--b\r\n\(header)\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--b--".utf8)
        #expect(throws: UploadError.self) { try parse(body, boundary: "b", maxHeaderSize: 1024) }
        #expect(try parse(body, boundary: "b", maxHeaderSize: 4096).count == 1)
    }

    @Test(arguments: [
        ("multipart/form-data; boundary=abc", "abc"),
        ("multipart/form-data; charset=utf-8; boundary=\"a b'()+_,-./:=?\"", "a b'()+_,-./:=?"),
        ("multipart/form-data;boundary=----WebKitFormBoundaryX", "----WebKitFormBoundaryX"),
    ])
    func boundariesAreReadFromTheContentType(contentType: String, boundary: String) throws {
        #expect(try MultipartBoundary.parse(contentType: contentType) == boundary)
    }

    @Test(arguments: [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\"\"",
        "multipart/form-data; boundary=" + String(repeating: "x", count: 71),
        "multipart/form-data; boundary=bad\u{1}char",
        "multipart/form-data; boundary=\"semi;colon\"",
    ])
    func missingOrMalformedBoundariesAreRefused(contentType: String) {
        #expect(throws: UploadError.self) { try MultipartBoundary.parse(contentType: contentType) }
    }

    static func expectedParts(_ client: String) throws -> [ParsedPart] {
        func part(_ name: String, _ fileName: String?, _ type: String?, _ body: String) -> ParsedPart {
            ParsedPart(headers: PartHeaders(name: name, fileName: fileName, contentType: type), body: Array(body.utf8))
        }
        switch client {
        case "curl":
            return [
                part("description", nil, nil, "From curl"),
                part("tags", nil, nil, "cli,fixture"),
                part("file", "hello.txt", "text/plain", "hello from curl\n"),
                part("files", "données.csv", "application/octet-stream", "a,b\r\n1,2\r\n"),
                part("files", "empty.txt", "text/plain", ""),
            ]
        case "requests":
            return [
                part("description", nil, nil, "From requests"),
                part("tags", nil, nil, "python,fixture"),
                ParsedPart(
                    headers: PartHeaders(name: "file", fileName: "report.pdf", contentType: "application/pdf"),
                    body: Array("%PDF-1.4\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3] + Array("\n1 0 obj\n<<>>\nendobj\n".utf8)
                ),
                part("files", "ünïcode name.txt", "text/plain", "text with\r\n--boundary-like line\r\n"),
            ]
        default:
            return [
                part("description", nil, nil, "From Chromium: \"quoted\" & ünïcode"),
                part("tags", nil, nil, "browser,fixture"),
                part("file", "hello.txt", "text/plain", "hello from chromium\r\n--not-a-boundary\r\n"),
                ParsedPart(
                    headers: PartHeaders(name: "files", fileName: "naïve %22photo%22.png", contentType: "image/png"),
                    body: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
                ),
                part("files", "empty.bin", "application/octet-stream", ""),
            ]
        }
    }
}
