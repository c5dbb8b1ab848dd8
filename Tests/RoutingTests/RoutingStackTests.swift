import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Metrics
import Routing
import Testing

struct TestContext: RoutingRequestContext {
    var coreContext: CoreRequestContextStorage
    var requestID = ""
    init(source: ApplicationRequestContextSource) { self.coreContext = .init(source: source) }
}

struct SecretFailure: Error {}
struct DomainMissing: Error {}

/// A small application built only from the routing stack, as a user of it would build one.
func makeRoutingApp() -> some ApplicationProtocol {
    let table = RouteTable()
    let router = Router(context: TestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ProcessTimeMiddleware())
    router.add(
        middleware: ErrorMiddleware(routes: table) { error in
            error is DomainMissing ? HTTPException(.notFound, "No such item.") : nil
        }
    )
    APIRouter(router, prefix: "/items", table: table)
        .get("") { request, _ in
            var query = QueryParameters(request)
            let limit = query.integer("limit", default: 10, in: 1...100)
            let name = query.requiredString("name", maxLength: 5)
            try query.validate()
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "\(limit) \(name)")))
        }
        .post("") { request, _ in
            var body = try await JSONBody.read(request)
            let title = body.string("title", required: true, maxLength: 10)
            let labels = body.strings("labels", required: false, maxCount: 2, maxLength: 3)
            try body.validate()
            return Response(status: .created, body: .init(byteBuffer: ByteBuffer(string: "\(title!) \(labels ?? [])")))
        }
        .get("{name}") { _, context in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: try context.parameters.decoded("name"))))
        }
        .delete("{name}") { _, _ in throw DomainMissing() }
        .put("{name}") { _, _ in throw SecretFailure() }
    // What a handler meets when the shutdown grace runs out while it works.
    APIRouter(router, prefix: "/stopping", table: table)
        .get("") { _, _ in throw CancellationError() }
    return Application(router: router)
}

func json(_ buffer: ByteBuffer) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
}

func detail(_ buffer: ByteBuffer) -> [[String: Any]] {
    ((json(buffer) as? [String: Any])?["detail"] as? [[String: Any]]) ?? []
}

@Suite struct RoutingStackTests {
    @Test func queryConstraintsAnswer422InFastAPIShape() async throws {
        try await makeRoutingApp().test(.router) { client in
            try await client.execute(uri: "/items?limit=abc", method: .get) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/json")
                let issues = detail(response.body)
                #expect(issues.count == 2)
                #expect(issues[0]["loc"] as? [String] == ["query", "limit"])
                #expect(issues[0]["type"] as? String == "int_parsing")
                #expect(issues[0]["input"] as? String == "abc")
                #expect(issues[1]["loc"] as? [String] == ["query", "name"])
                #expect(issues[1]["type"] as? String == "missing")
                #expect(issues[1]["msg"] as? String == "Field required")
            }
            try await client.execute(uri: "/items?limit=1000&name=abcdef", method: .get) { response in
                let issues = detail(response.body)
                #expect(issues.map { $0["type"] as? String } == ["less_than_equal", "string_too_long"])
                #expect((issues[0]["ctx"] as? [String: Any])?["le"] as? Int == 100)
                #expect(issues[0]["msg"] as? String == "Input should be less than or equal to 100")
            }
            try await client.execute(uri: "/items?limit=0&name=a", method: .get) { response in
                #expect(detail(response.body).first?["type"] as? String == "greater_than_equal")
            }
            try await client.execute(uri: "/items?limit=7&name=a+b", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "7 a b")
            }
        }
    }

    @Test func bodyConstraintsAnswer422WithBodyLocations() async throws {
        try await makeRoutingApp().test(.router) { client in
            try await client.execute(uri: "/items", method: .post, body: ByteBuffer(string: "{\"title\": 5, \"labels\": [\"ok\", 3]}")) { response in
                #expect(response.status == .unprocessableContent)
                let issues = detail(response.body)
                #expect(issues.count == 2)
                #expect(issues[0]["loc"] as? [AnyHashable] == ["body", "title"])
                #expect(issues[0]["type"] as? String == "string_type")
                #expect(issues[1]["loc"] as? [AnyHashable] == ["body", "labels", 1])
            }
            try await client.execute(uri: "/items", method: .post, body: ByteBuffer(string: "{\"labels\": []}")) { response in
                #expect(detail(response.body).first?["loc"] as? [String] == ["body", "title"])
                #expect(detail(response.body).first?["type"] as? String == "missing")
            }
            try await client.execute(uri: "/items", method: .post, body: ByteBuffer(string: "{not json")) { response in
                #expect(response.status == .unprocessableContent)
                #expect(detail(response.body).first?["type"] as? String == "json_invalid")
            }
            try await client.execute(uri: "/items", method: .post, body: ByteBuffer(string: "[1]")) { response in
                #expect(detail(response.body).first?["type"] as? String == "model_attributes_type")
            }
            try await client.execute(uri: "/items", method: .post) { response in
                #expect(detail(response.body).first?["loc"] as? [String] == ["body"])
            }
            // As FastAPI: a body in another media type is text, not an object (a cross-site form
            // can send text/plain that looks like JSON).
            for type in ["text/plain", "application/x-www-form-urlencoded", "text/json"] {
                let headers: HTTPFields = [.contentType: type]
                try await client.execute(uri: "/items", method: .post, headers: headers, body: ByteBuffer(string: "{\"title\": \"hello\"}")) {
                    response in
                    #expect(response.status == .unprocessableContent, "\(type)")
                    #expect(detail(response.body).first?["type"] as? String == "model_attributes_type")
                    #expect(detail(response.body).first?["input"] as? String == "{\"title\": \"hello\"}")
                }
            }
            for type in ["application/json", "Application/JSON; charset=utf-8", "application/merge-patch+json"] {
                let headers: HTTPFields = [.contentType: type]
                try await client.execute(uri: "/items", method: .post, headers: headers, body: ByteBuffer(string: "{\"title\": \"hello\"}")) {
                    response in
                    #expect(response.status == .created, "\(type)")
                }
            }
            try await client.execute(uri: "/items", method: .post, body: ByteBuffer(string: "{\"title\": \"hello\", \"labels\": [\"a\"]}")) {
                response in
                #expect(response.status == .created)
                #expect(String(buffer: response.body) == "hello [\"a\"]")
            }
        }
    }

    @Test func unknownRoutesAnswer404AndWrongMethods405WithAllow() async throws {
        try await makeRoutingApp().test(.router) { client in
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect((json(response.body) as? [String: String])?["detail"] == "Not Found")
            }
            try await client.execute(uri: "/items", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD, POST")
                #expect((json(response.body) as? [String: String])?["detail"] == "Method Not Allowed")
            }
            try await client.execute(uri: "/items/x", method: .patch) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD, DELETE, PUT")
            }
        }
    }

    @Test func domainErrorsAreTranslatedAndUnexpectedOnesNeverLeak() async throws {
        try await makeRoutingApp().test(.router) { client in
            try await client.execute(uri: "/items/x", method: .delete) { response in
                #expect(response.status == .notFound)
                #expect((json(response.body) as? [String: String])?["detail"] == "No such item.")
            }
            try await client.execute(uri: "/items/x", method: .put) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body) == "{\"detail\":\"Internal Server Error\"}")
            }
        }
    }

    @Test func aRequestCutOffByTheShutdownAnswers503() async throws {
        try await makeRoutingApp().test(.router) { client in
            try await client.execute(uri: "/stopping", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect((json(response.body) as? [String: String])?["detail"] == "The server is stopping: the request was cut off. Send it again.")
            }
        }
    }

    @Test func pathParametersArePercentDecoded() async throws {
        try await makeRoutingApp().test(.router) { client in
            try await client.execute(uri: "/items/caf%C3%A9%20au%20lait", method: .get) { response in
                #expect(String(buffer: response.body) == "café au lait")
            }
        }
    }

    @Test func requestIDsAreEchoedWhenSaneAndReplacedOtherwise() async throws {
        try await makeRoutingApp().test(.router) { client in
            try await client.execute(uri: "/items/a", method: .get, headers: [HTTPField.Name("X-Request-ID")!: "abc-123"]) { response in
                #expect(response.headers[HTTPField.Name("X-Request-ID")!] == "abc-123")
                let seconds = Double(response.headers[HTTPField.Name("X-Process-Time")!] ?? "")
                #expect(seconds != nil && seconds! >= 0 && seconds! < 5)
            }
            try await client.execute(uri: "/items/a", method: .get, headers: [HTTPField.Name("X-Request-ID")!: "evil\"value with spaces"]) {
                response in
                let id = response.headers[HTTPField.Name("X-Request-ID")!] ?? ""
                #expect(id.count == 32 && id != "evil\"value with spaces")
            }
        }
    }

    @Test func madeUpRequestIDsShareTheProcessPrefixAndCount() {
        let first = RequestIDGenerator.id(keeping: nil)
        let second = RequestIDGenerator.id(keeping: "")
        let isHex = { (id: String) in id.utf8.count == 32 && id.utf8.allSatisfy { Array("0123456789abcdef".utf8).contains($0) } }
        #expect(isHex(first) && isHex(second))
        #expect(first.prefix(16) == second.prefix(16))
        #expect(UInt64(second.suffix(16), radix: 16)! > UInt64(first.suffix(16), radix: 16)!)
    }

    @Test func processTimesHaveSixDecimals() {
        #expect(ProcessTime.seconds(.zero) == "0.000000")
        #expect(ProcessTime.seconds(.microseconds(417)) == "0.000417")
        #expect(ProcessTime.seconds(.milliseconds(1500)) == "1.500000")
        #expect(ProcessTime.seconds(.seconds(12) + .microseconds(1)) == "12.000001")
        #expect(ProcessTime.seconds(.seconds(3600)) == "3600.000000")
    }
}
