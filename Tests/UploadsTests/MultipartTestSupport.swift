import Foundation
import NIOCore
import Uploads

/// A part as the tests see it: headers and the whole payload.
struct ParsedPart: Equatable {
    var headers: PartHeaders
    var body: [UInt8]
}

/// Feeds `body` to a parser in pieces ending at `cuts`, and collects the parts.
func parse(_ body: [UInt8], boundary: String, cuts: [Int] = [], maxHeaderSize: Int = 16 << 10) throws -> [ParsedPart] {
    var parser = MultipartParser(boundary: boundary, maxHeaderSize: maxHeaderSize)
    var events: [MultipartParser.Event] = []
    var parts: [ParsedPart] = []
    var open = false
    var start = 0
    for end in cuts.filter({ $0 > 0 && $0 < body.count }).sorted() + [body.count] where end >= start {
        // Each piece sits inside a larger buffer, as NIO's do, to catch reader-index mistakes.
        var buffer = ByteBuffer(bytes: [0xAA, 0xBB] + body[start..<end])
        buffer.moveReaderIndex(forwardBy: 2)
        try parser.feed(buffer, into: &events)
        for event in events {
            switch event {
            case .partStart(let headers):
                precondition(!open, "a part started inside another")
                parts.append(ParsedPart(headers: headers, body: []))
                open = true
            case .body(let slice):
                precondition(open, "payload outside a part")
                parts[parts.count - 1].body += slice.readableBytesView
            case .partEnd:
                precondition(open, "a part ended that never started")
                open = false
            }
        }
        events.removeAll()
        start = end
    }
    try parser.finish()
    return parts
}

/// A captured request body and its Content-Type.
struct Fixture {
    let body: [UInt8]
    let contentType: String

    init(_ name: String) throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        self.body = Array(try Data(contentsOf: directory.appendingPathComponent("\(name).body")))
        self.contentType = try String(contentsOf: directory.appendingPathComponent("\(name).content-type"), encoding: .utf8)
    }

    var boundary: String {
        get throws { try MultipartBoundary.parse(contentType: self.contentType) }
    }
}

/// Builds a multipart body the way clients do.
struct FormBuilder {
    let boundary: String
    var bytes: [UInt8] = []

    mutating func field(_ name: String, _ value: String) {
        self.bytes += Array("--\(self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    mutating func file(_ name: String, fileName: String, type: String, _ content: [UInt8]) {
        self.bytes += Array("--\(self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(fileName)\"\r\n".utf8)
        self.bytes += Array("Content-Type: \(type)\r\n\r\n".utf8) + content + Array("\r\n".utf8)
    }

    func closed(epilogue: String = "") -> [UInt8] {
        self.bytes + Array("--\(self.boundary)--\r\n\(epilogue)".utf8)
    }
}

/// A small deterministic generator, so that a failing random case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
