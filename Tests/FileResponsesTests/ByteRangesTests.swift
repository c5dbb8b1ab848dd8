import HTTPTypes
import Testing

@testable import FileResponses

@Suite struct ByteRangesTests {
    @Test(
        arguments: [
            ("bytes=0-99", [0...99] as [ClosedRange<Int64>]),
            ("bytes=100-", [100...999]),
            ("bytes=-100", [900...999]),
            ("bytes=-5000", [0...999]),
            ("bytes=990-5000", [990...999]),
            ("bytes=0-0,-1", [0...0, 999...999]),
            ("bytes=500-599, 0-99", [0...99, 500...599]),
            ("bytes=0-10,5-20,21-30", [0...30]),
            ("BYTES = 1-2", nil),
            ("bytes=1-2", [1...2]),
            ("bytes=5-5,1000-2000", [5...5]),
            ("Bytes=0-1", [0...1]),
            ("\tbytes=0-1 ,\t4-5,", [0...1, 4...5]),
        ] as [(String, [ClosedRange<Int64>]?)]
    )
    func satisfiableRangesAreResolvedAndCoalesced(header: String, expected: [ClosedRange<Int64>]?) {
        let ranges = ByteRanges(header: header, size: 1000, maxRanges: 16)
        if let expected {
            #expect(ranges == .partial(expected))
        } else {
            #expect(ranges == .whole)
        }
    }

    @Test(arguments: [
        "bytes=", "bytes=abc", "bytes=5-1", "bytes=--5", "items=0-5", "bytes=0-5;x", "bytes=1-2-3", "0-5", "bytes=-", "bytes=99999999999999999999-",
    ])
    func malformedHeadersAreIgnored(header: String) {
        #expect(ByteRanges(header: header, size: 1000, maxRanges: 16) == .whole)
    }

    @Test(arguments: ["bytes=1000-", "bytes=1000-2000", "bytes=-0", "bytes=5000-6000,7000-"])
    func rangesOutsideTheFileAreUnsatisfiable(header: String) {
        #expect(ByteRanges(header: header, size: 1000, maxRanges: 16) == .unsatisfiable)
    }

    @Test func rangesThatWouldAmplifyTrafficGetTheWholeFile() {
        let many = "bytes=" + (0..<17).map { "\($0 * 10)-\($0 * 10 + 1)" }.joined(separator: ",")
        #expect(ByteRanges(header: many, size: 1000, maxRanges: 16) == .whole)
        #expect(ByteRanges(header: "bytes=0-999,0-999", size: 1000, maxRanges: 16) == .whole)
        #expect(ByteRanges(header: nil, size: 1000, maxRanges: 16) == .whole)
    }

    @Test func emptyFilesHaveNoSatisfiableRange() {
        #expect(ByteRanges(header: "bytes=0-", size: 0, maxRanges: 16) == .unsatisfiable)
        #expect(ByteRanges(header: "bytes=-1", size: 0, maxRanges: 16) == .unsatisfiable)
    }
}

@Suite struct ConditionalRequestTests {
    static let tag = EntityTag("abc")
    static let modified: Int64 = 784_111_777  // Sun, 06 Nov 1994 08:49:37 GMT

    func outcome(_ fields: HTTPFields, method: HTTPRequest.Method = .get) -> ConditionalRequest.Outcome {
        let request = HTTPRequest(method: method, scheme: "http", authority: "x", path: "/", headerFields: fields)
        return ConditionalRequest.evaluate(request, entityTag: Self.tag, lastModified: Self.modified)
    }

    @Test func ifNoneMatchUsesWeakComparisonListsAndStar() {
        #expect(self.outcome([.ifNoneMatch: "\"abc\""]) == .notModified)
        #expect(self.outcome([.ifNoneMatch: "W/\"abc\""]) == .notModified)
        #expect(self.outcome([.ifNoneMatch: "\"x\", W/\"abc\""]) == .notModified)
        #expect(self.outcome([.ifNoneMatch: "*"]) == .notModified)
        #expect(self.outcome([.ifNoneMatch: "\"x\""]) == .proceed)
        #expect(self.outcome([.ifNoneMatch: "*"], method: .put) == .preconditionFailed)
    }

    @Test func ifModifiedSinceIsIgnoredWhenIfNoneMatchIsPresent() {
        #expect(self.outcome([.ifModifiedSince: "Sun, 06 Nov 1994 08:49:37 GMT"]) == .notModified)
        #expect(self.outcome([.ifModifiedSince: "Sun, 06 Nov 1994 08:49:36 GMT"]) == .proceed)
        #expect(self.outcome([.ifModifiedSince: "Sun, 06 Nov 1994 08:49:37 GMT", .ifNoneMatch: "\"x\""]) == .proceed)
        #expect(self.outcome([.ifModifiedSince: "not a date"]) == .proceed)
    }

    @Test func ifMatchIsStrongAndIfUnmodifiedSinceChecksTheDate() {
        #expect(self.outcome([.ifMatch: "\"abc\""]) == .proceed)
        #expect(self.outcome([.ifMatch: "W/\"abc\""]) == .preconditionFailed)
        #expect(self.outcome([.ifMatch: "\"x\""]) == .preconditionFailed)
        #expect(self.outcome([.ifMatch: "*"]) == .proceed)
        #expect(self.outcome([.ifUnmodifiedSince: "Sunday, 06-Nov-94 08:49:37 GMT"]) == .proceed)
        #expect(self.outcome([.ifUnmodifiedSince: "Sun Nov  6 08:49:36 1994"]) == .preconditionFailed)
    }

    @Test func ifRangeNeedsTheCurrentStrongTagOrExactDate() {
        func applies(_ value: String) -> Bool {
            let request = HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/", headerFields: [.ifRange: value])
            return ConditionalRequest.rangeApplies(request, entityTag: Self.tag, lastModified: Self.modified)
        }
        #expect(applies("\"abc\""))
        #expect(!applies("W/\"abc\""))
        #expect(!applies("\"old\""))
        #expect(applies("Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(!applies("Sun, 06 Nov 1994 08:49:38 GMT"))
    }

    @Test func httpDatesRoundTrip() {
        #expect(HTTPDate.format(Self.modified) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Self.modified)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == Self.modified)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == Self.modified)
        #expect(HTTPDate.parse("yesterday") == nil)
    }
}
