import NIOCore
import Uploads

/// libFuzzer's entry point (built with `-sanitize=fuzzer`, see scripts/fuzz): the first byte of
/// an input picks how the rest is cut into buffers, the rest is the body. Any outcome but a
/// parse or an `UploadError` — a crash, a trap, another error — is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipartParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let pieceSize = Int(input[0]) + 1
    do {
        try ParserRun.run(body: input[1...], boundary: "fuzz", pieceSize: pieceSize)
    } catch is UploadError {
        return 0
    } catch {
        fatalError("the parser threw a foreign error: \(error)")
    }
    return 0
}

/// Feeds a body to a parser in pieces and checks the events' order.
enum ParserRun {
    static func run(body: ArraySlice<UInt8>, boundary: String, pieceSize: Int) throws {
        var parser = MultipartParser(boundary: boundary, maxHeaderSize: 1024)
        var events: [MultipartParser.Event] = []
        var inPart = false
        var start = body.startIndex
        while start < body.endIndex {
            let end = min(body.endIndex, start + pieceSize)
            try parser.feed(ByteBuffer(bytes: body[start..<end]), into: &events)
            for event in events {
                switch event {
                case .partStart:
                    precondition(!inPart, "a part started inside another")
                    inPart = true
                case .body:
                    precondition(inPart, "payload outside a part")
                case .partEnd:
                    precondition(inPart, "a part ended that never started")
                    inPart = false
                }
            }
            events.removeAll(keepingCapacity: true)
            start = end
        }
        try parser.finish()
        precondition(!inPart, "the body completed inside a part")
    }
}

#if FUZZING
/// libFuzzer's driver, from its runtime (linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry as `<module>_main`; under the fuzzer it starts libFuzzer.
@_cdecl("MultipartHarness_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv) { data, size in fuzzMultipartParser(data, size) }
}
#endif
