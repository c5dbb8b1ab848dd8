#if !FUZZING
import Foundation
import MultipartKit
import NIOCore
import Uploads

/// Without the fuzzer: `MultipartHarness replay FILE...` runs fuzzer inputs (e.g. a crash) through
/// the same checks; `MultipartHarness throughput MIB` times the parser alone in memory on a
/// one-file body of that size, fed in 64 KiB buffers as a socket delivers it, beside
/// multipart-kit 4.7.1's parser on the same buffers (scripts/bench): two figures in GB/s.
@main
enum MultipartHarness {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        switch arguments.first {
        case "replay":
            for path in arguments.dropFirst() {
                let input = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
                _ = input.withUnsafeBufferPointer { fuzzMultipartParser($0.baseAddress!, $0.count) }
                print("ok \(path)")
            }
        case "throughput":
            let mebibytes = Int(arguments.dropFirst().first ?? "256") ?? 256
            let body = Self.body(mebibytes: mebibytes)
            let wharf = try Self.median { try Self.parseWithWharf(body, payload: mebibytes << 20) }
            let peer = try Self.median { try Self.parseWithMultipartKit(body, payload: mebibytes << 20) }
            let bytes = Double(body.reduce(0) { $0 + $1.readableBytes })
            print(String(format: "%.2f %.2f", bytes / wharf / 1e9, bytes / peer / 1e9))
        default:
            FileHandle.standardError.write(Data("usage: MultipartHarness replay FILE... | throughput MIB\n".utf8))
            exit(2)
        }
    }

    static let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"

    /// A one-file form body of random bytes, in 64 KiB pieces.
    static func body(mebibytes: Int) -> [ByteBuffer] {
        var body = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<(mebibytes << 17) { body.writeInteger(generator.next() as UInt64) }
        body.writeString("\r\n--\(boundary)--\r\n")
        let pieces = stride(from: 0, to: body.readableBytes, by: 65536).map {
            body.getSlice(at: $0, length: min(65536, body.readableBytes - $0))!
        }
        return pieces
    }

    /// Seconds of the median of three passes.
    static func median(_ pass: () throws -> Void) throws -> Double {
        var times: [Double] = []
        for _ in 0..<3 {
            let start = ContinuousClock.now
            try pass()
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return times.sorted()[1]
    }

    static func parseWithWharf(_ body: [ByteBuffer], payload expected: Int) throws {
        var parser = Uploads.MultipartParser(boundary: boundary, maxHeaderSize: 16384)
        var events: [Uploads.MultipartParser.Event] = []
        var payload = 0
        for piece in body {
            try parser.feed(piece, into: &events)
            for case .body(let slice) in events { payload += slice.readableBytes }
            events.removeAll(keepingCapacity: true)
        }
        try parser.finish()
        precondition(payload == expected, "parsed \(payload) payload bytes")
    }

    static func parseWithMultipartKit(_ body: [ByteBuffer], payload expected: Int) throws {
        let parser = MultipartKit.MultipartParser(boundary: boundary)
        var payload = 0
        parser.onBody = { payload += $0.readableBytes }
        for piece in body { try parser.execute(piece) }
        precondition(payload == expected, "multipart-kit parsed \(payload) payload bytes")
    }
}
#endif
