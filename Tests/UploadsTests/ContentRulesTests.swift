import MediaTypes
import Testing
import Uploads

@Suite struct ContentRulesTests {
    @Test(arguments: [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\me\\Desktop\\photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "passwd"),
        ("/absolute/path/name.txt", "name.txt"),
        ("tab\tand\nnewline.txt", "tabandnewline.txt"),
        ("ünïcode.txt", "ünïcode.txt"),
        ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
        ("\u{2067}שלום\u{2069}.txt", "שלום.txt"),
        ("\u{200F}שלום.txt", "\u{200F}שלום.txt"),
    ])
    func clientFileNamesAreReducedToSafeBaseNames(client: String, stored: String) {
        #expect(UploadedFileName.sanitize(client) == stored)
    }

    @Test(arguments: [nil, "", "..", ".", "/", "a/..", "\u{0}\u{1}", "   ", String(repeating: "x", count: 300) + ".png"])
    func hostileOrEmptyNamesGetAGeneratedOne(client: String?) {
        let stored = UploadedFileName.sanitize(client)
        #expect(stored.hasPrefix("upload-"))
        #expect((try? FileNameRule.validate(stored)) == stored)
    }

    /// A name given outright (a raw upload's `name`, a rename) is refused where a form's would be
    /// cleaned.
    @Test(arguments: [
        "", " ", "\u{A0}\u{3000}", "a/b", "a\\b", "..", "a\u{0}b", "line\nbreak.txt", "tab\t.txt", "del\u{7f}.txt",
        "invoice\u{202E}fdp.exe", "\u{202A}embedded.txt", "\u{2066}isolated\u{2069}.txt", String(repeating: "x", count: 256),
    ])
    func namesGivenOutrightAreRefusedWhenTheyCouldNotBeStored(name: String) {
        #expect(throws: UploadError.self) { try FileNameRule.validate(name) }
    }

    /// Tags are trimmed and kept once each, their case and composition ignored, the first
    /// spelling kept; a comma list drops its empty items.
    @Test func tagsAreTrimmedAndKeptOnce() throws {
        #expect(try TagRule.validate([" Holiday ", "holiday", "HOLIDAY", "work", "Caf\u{E9}", "cafe\u{301}"]) == ["Holiday", "work", "Caf\u{E9}"])
        #expect(try TagRule.tags(fromCommaList: " a, ,b,,a ,") == ["a", "b"])
        #expect(try TagRule.tags(fromCommaList: "").isEmpty)
        #expect(try TagRule.validate((0..<80).map { _ in "same" }) == ["same"])
    }

    @Test(arguments: [
        [" "], [""], ["a,b"], ["line\nbreak"], ["tab\there"], [String(repeating: "t", count: 65)], (0..<65).map { "t\($0)" },
    ])
    func tagsThatCouldNotBeShownOrSentBackAreRefused(tags: [String]) {
        #expect(throws: UploadError.self) { try TagRule.validate(tags) }
    }

    @Test func generatedNamesKeepAShortExtension() {
        #expect(UploadedFileName.sanitize(String(repeating: "x", count: 300) + ".png").hasSuffix(".png"))
    }

    @Test(
        arguments: [
            // sniffed, declared, file name, recorded
            ("image/png", "text/plain", "a.txt", "image/png"),
            ("application/x-executable", "image/png", "a.png", "application/x-executable"),
            (nil, "image/png", "a.bin", "image/png"),
            (nil, "application/octet-stream", "a.webp", "image/webp"),
            (nil, nil, "noextension", "application/octet-stream"),
            ("text/plain", "text/css; charset=utf-8", "a.css", "text/css"),
            ("text/plain", nil, "data.json", "application/json"),
            ("text/plain", "image/png", "a.png", "text/plain"),
            ("text/html", "text/plain", "a.txt", "text/html"),
        ] as [(String?, String?, String, String)]
    )
    func detectedTypesWinOverClaims(sniffed: String?, declared: String?, fileName: String, recorded: String) {
        #expect(ContentTypeRule.resolve(sniffed: sniffed, declared: declared, fileName: fileName) == recorded)
    }

    @Test func allowListsMatchExactTypesAndWildcards() throws {
        let allowed = try #require(AllowedTypes(parsing: "image/*, application/pdf"))
        #expect(allowed.allows("image/png") && allowed.allows("IMAGE/AVIF") && allowed.allows("application/pdf"))
        #expect(!allowed.allows("application/pdf2") && !allowed.allows("text/plain") && !allowed.allows("imagex/png"))
        #expect(AllowedTypes(parsing: "") == nil)
        #expect(AllowedTypes(parsing: "*/*") == nil)
        #expect(AllowedTypes(parsing: "image") == nil)
    }

    @Test func libmagicDetectsContentFromItsFirstBytes() throws {
        let sniffer = try ContentSniffer()
        #expect(sniffer.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]) == "image/png")
        #expect(sniffer.sniff(Array("%PDF-1.4\n%âãÏÓ\n1 0 obj\n".utf8)) == "application/pdf")
        #expect(sniffer.sniff(Array("<!DOCTYPE html><html><body>hi</body></html>".utf8)) == "text/html")
        #expect(sniffer.sniff(Array("just some words\n".utf8)) == "text/plain")
        #expect(sniffer.sniff([]) == nil)
        #expect(sniffer.sniff([0x00, 0x13, 0x37, 0xFE, 0x11, 0x99, 0x42]) == nil)
    }
}
