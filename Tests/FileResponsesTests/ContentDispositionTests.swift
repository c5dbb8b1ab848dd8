import FileResponses
import Testing

@Suite struct ContentDispositionTests {
    /// A plain ASCII name goes as it is; one a client would read otherwise also goes exactly in
    /// `filename*`, which every current browser takes over `filename`: Chromium percent-decodes a
    /// bare `filename`, so `100%41.txt` alone would be saved as `100A.txt`.
    @Test(arguments: [
        ("report.pdf", "attachment; filename=\"report.pdf\""),
        ("two  spaces.txt", "attachment; filename=\"two  spaces.txt\""),
        ("100%41.txt", "attachment; filename=\"100_41.txt\"; filename*=UTF-8''100%2541.txt"),
        ("say \"hi\".txt", "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt"),
        ("日本.txt", "attachment; filename=\"__.txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"),
    ])
    func aNameIsSentSoThatEveryClientSavesIt(name: String, header: String) {
        #expect(ContentDisposition(.attachment, fileName: name).headerValue == header)
    }
}
