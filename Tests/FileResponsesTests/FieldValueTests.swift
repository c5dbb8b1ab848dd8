import HTTPTypes
import Testing

@testable import FileResponses

@Suite struct FieldValueTests {
    @Test(
        arguments: [
            ([], nil),
            ([HTTPField(name: .accept, value: "*/*")], nil),
            ([HTTPField(name: .range, value: "bytes=0-9")], "bytes=0-9"),
            ([HTTPField(name: .accept, value: "*/*"), HTTPField(name: .range, value: "bytes=0-9")], "bytes=0-9"),
            ([HTTPField(name: .range, value: "bytes=0-9"), HTTPField(name: .range, value: "bytes=20-29")], "bytes=0-9, bytes=20-29"),
            ([HTTPField(name: HTTPField.Name("RANGE")!, value: "bytes=1-2")], "bytes=1-2"),
        ] as [([HTTPField], String?)]
    )
    func aFieldValueIsWhatTheSubscriptGives(fields: [HTTPField], expected: String?) {
        let headers = HTTPFields(fields)
        #expect(headers.value(of: .range) == expected)
        #expect(headers.value(of: .range) == headers[.range])
    }

    @Test func cookiesSentTwiceAreJoinedAsTheSubscriptJoinsThem() {
        let headers: HTTPFields = [.cookie: "a=1", .accept: "*/*"] + [HTTPField(name: .cookie, value: "b=2")]
        #expect(headers.value(of: .cookie) == "a=1; b=2")
    }
}
