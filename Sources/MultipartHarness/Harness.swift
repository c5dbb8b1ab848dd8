#if !FUZZING
import Foundation
import NIOCore
import Uploads

/// Without the fuzzer: `MultipartHarness replay FILE...` runs fuzzer inputs (e.g. a crash) through
/// the same checks; `MultipartHarness throughput MIB` times the parser alone in memory on a
/// one-file body of that size, fed in 64 KiB buffers as a socket delivers it (scripts/bench).
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
            print(String(format: "%.2f", try self.throughput(mebibytes: mebibytes)))
        default:
            FileHandle.standardError.write(Data("usage: MultipartHarness replay FILE... | throughput MIB\n".utf8))
            exit(2)
        }
    }

    /// GB/s (10^9 bytes per second), best of three passes.
    static func throughput(mebibytes: Int) throws -> Double {
        let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
        var body = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<(mebibytes << 17) { body.writeInteger(generator.next() as UInt64) }
        body.writeString("\r\n--\(boundary)--\r\n")
        let pieces = stride(from: 0, to: body.readableBytes, by: 65536).map {
            body.getSlice(at: $0, length: min(65536, body.readableBytes - $0))!
        }
        var best = Double.infinity
        for _ in 0..<3 {
            var parser = MultipartParser(boundary: boundary, maxHeaderSize: 16384)
            var events: [MultipartParser.Event] = []
            var payload = 0
            let start = ContinuousClock.now
            for piece in pieces {
                try parser.feed(piece, into: &events)
                for case .body(let slice) in events { payload += slice.readableBytes }
                events.removeAll(keepingCapacity: true)
            }
            try parser.finish()
            let elapsed = ContinuousClock.now - start
            precondition(payload == mebibytes << 20, "parsed \(payload) payload bytes")
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return Double(body.readableBytes) / best / 1e9
    }
}
#endif
