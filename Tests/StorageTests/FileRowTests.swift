import Foundation
import Testing

@testable import Storage

/// Stored tag lists read back as the JSON decoder reads them, by the split or by the decoder.
@Suite struct FileRowTests {
    @Test func tagListsWrittenByTheEncoderReadBackWhole() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Unicode.Scalar] = ["a", "Z", " ", ",", "\"", "\\", "[", "]", "\n", "\u{1}", "é", "\u{301}", "😀", "/"]
        for _ in 0..<1000 {
            let tags = (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                var tag = ""
                for _ in 0..<Int.random(in: 0...6, using: &generator) { tag.unicodeScalars.append(alphabet.randomElement(using: &generator)!) }
                return tag
            }
            #expect(FileRow.decodeTags(FileRow.encodeTags(tags)) == tags, "\(tags)")
        }
    }

    @Test(
        arguments: [
            (#"[]"#, []), (#"[""]"#, [""]), (#"["",""]"#, ["", ""]), (#"["a","b c"]"#, ["a", "b c"]),
            (#"["a", "b"]"#, ["a", "b"]), (#"[ "a" ]"#, ["a"]), (#"["\u0041\"x"]"#, ["A\"x"]), (#"["\u0301a"]"#, ["\u{301}a"]),
        ] as [(String, [String])]
    )
    func listsInAnyJSONSpellingReadAsTheDecoderReadsThem(text: String, tags: [String]) {
        #expect(FileRow.decodeTags(text) == tags)
    }

    @Test(arguments: [#"["a","]"#, #"["a"#, #"[1]"#, #"["a",1]"#, #"{"a":"b"}"#, #"""#, ""])
    func whatIsNoListOfStringsIsRefused(text: String) {
        #expect(FileRow.decodeTags(text) == nil)
    }

    /// A change's version is its time, but always after the version before: two changes within a
    /// microsecond, or under a clock set back, are still told apart.
    @Test func everyChangeMovesTheVersionForward() {
        #expect(FileRow.nextVersion(after: 100, at: 250) == 250)
        #expect(FileRow.nextVersion(after: 250, at: 250) == 251)
        #expect(FileRow.nextVersion(after: 300, at: 250) == 301)
    }
}
