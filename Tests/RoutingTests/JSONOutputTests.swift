import Foundation
import NIOCore
import Testing

@testable import Routing

/// `JSONOutput` writes what Foundation's encoder, configured as `JSONCoding`'s, writes.
@Suite struct JSONOutputTests {
    private func foundation(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
    }

    private func written(_ write: (inout JSONOutput) -> Void) -> String {
        var output = JSONOutput(capacity: 4)
        write(&output)
        return String(buffer: output.buffer)
    }

    @Test func everyASCIICharacterIsEscapedAsFoundationEscapesIt() throws {
        for scalar in 0..<128 {
            let text = "a" + String(Unicode.Scalar(UInt8(scalar))) + "b"
            #expect(self.written { $0.string(text) } == (try self.foundation(text)), "U+\(String(scalar, radix: 16))")
        }
    }

    @Test func textBeyondASCIIIsWrittenAsItIs() throws {
        for text in ["", "é", "日本語のファイル.txt", "😀 emoji", "\u{2028}\u{2029}", "\u{7f}", "a/b\\c\"d", "\u{0}\u{1f}\u{0}"] {
            #expect(self.written { $0.string(text) } == (try self.foundation(text)))
        }
    }

    @Test func randomTextIsWrittenAsFoundationWritesIt() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Unicode.Scalar] = (0..<0x80).map { Unicode.Scalar(UInt8($0)) } + ["é", "ß", "中", "😀", "\u{2028}"]
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<Int.random(in: 0...40, using: &generator) { text.unicodeScalars.append(alphabet.randomElement(using: &generator)!) }
            #expect(self.written { $0.string(text) } == (try self.foundation(text)))
        }
    }

    @Test func numbersNullsListsAndObjectsAreWrittenAsFoundationWritesThem() throws {
        for number in [Int64.min, -1, 0, 7, 1_048_576, Int64.max] {
            #expect(self.written { $0.integer(number) } == (try self.foundation(number)))
        }
        #expect(self.written { $0.string(nil as String?) } == (try self.foundation(nil as String?)))
        for list in [[], ["one"], ["a", "b\n", ""]] {
            #expect(self.written { $0.strings(list) } == (try self.foundation(list)))
        }
        let nested: [String: [String: [String]]] = ["a": [:], "b": ["x y": ["1"], "x": []]]
        let written = self.written { output in
            output.beginObject()
            output.key("a")
            output.beginObject()
            output.endObject()
            output.key("b")
            output.beginObject()
            output.key("x")
            output.strings([])
            output.key(String("x y"))
            output.strings(["1"])
            output.endObject()
            output.endObject()
        }
        #expect(written == (try self.foundation(nested)))
    }
}
