import HTTPTypes
import Routing
import Testing

@Suite struct QueryStringTests {
    @Test(arguments: [
        ("name=a+b", ["name": "a b"]),
        ("name=caf%C3%A9", ["name": "café"]),
        ("a=1&a=2&b", ["a": "1", "b": ""]),
        ("bad=%zz%4", ["bad": "%zz%4"]),
        ("%6Eame=x", ["name": "x"]),
        ("", [:]),
        ("&&x=1&", ["x": "1"]),
        ("eq=a=b", ["eq": "a=b"]),
    ])
    func decodesLikeStarlette(query: String, expected: [String: String]) {
        #expect(QueryString.parse(Substring(query)) == expected)
    }

    @Test(arguments: [
        ("/api/files/{id}", "/api/files/abc", true),
        ("/api/files/{id}", "/api/files/abc/download", false),
        ("/api/files/{id}/download", "/api/files/abc/download", true),
        ("/api/files", "/api/files/", true),
        ("/api/files", "/api", false),
        ("/static/**", "/static/a/b/c", true),
        ("", "/", true),
    ])
    func routePatternsMatchPaths(pattern: String, path: String, matches: Bool) {
        let table = RouteTable()
        table.add(pattern, method: .get)
        #expect(table.allowedMethods(for: path).isEmpty == !matches)
    }
}
