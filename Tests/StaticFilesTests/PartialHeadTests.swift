import FileResponses
import Foundation
import HTTPTypes
import MediaTypes
import NIOHTTP1
import TestSupport
import Testing

@testable import StaticFiles

/// A single range answered from a plan's `PartialHead` is the answer the engine decides for it,
/// field for field and in the same order, in HTTP types and in HTTP/1; any other range is left
/// to the engine.
@Suite struct PartialHeadTests {
    /// A server whose plan cache holds the plan of a 1 MiB file for range requests, as the first
    /// range request leaves it.
    static func server(directory: TemporaryDirectory, mountFields: [HTTPField]) throws -> StaticFileServer {
        let path = directory.path + "/large.bin"
        try Data(repeating: 7, count: 1 << 20).write(to: URL(fileURLWithPath: path))
        let server = StaticFileServer(mounts: [], cachePolicy: CachePolicy(), sniffer: try ContentSniffer())
        let (plan, body) = try plannedFile(at: path, mountFields: mountFields)
        let response = server.fileResponse(plan, body: body)
        let entry = PlanCache.Entry(
            plan: plan,
            body: body,
            response: response,
            endpointPath: "static:/",
            partialHead: server.partialHead(plan, body: body, response: response)
        )
        server.plans.store(entry, for: PlanCache.Key(path: "/large.bin", acceptEncoding: nil, isRange: true))
        return server
    }

    /// The head as HTTP/1 writes it: each field a `name: value` line.
    static func lines(_ head: HTTPResponseHead) -> String {
        head.headers.map { "\($0.name): \($0.value)\r\n" }.joined()
    }

    @Test(arguments: [
        [HTTPField(name: .cacheControl, value: "no-cache")],
        [
            HTTPField(name: .cacheControl, value: "public, max-age=3600"), HTTPField(name: .contentEncoding, value: "br"),
            HTTPField(name: .vary, value: "Accept-Encoding"),
        ],
    ])
    func aSingleRangeIsTheEnginesAnswer(mountFields: [HTTPField]) throws {
        let directory = try TemporaryDirectory()
        let server = try Self.server(directory: directory, mountFields: mountFields)
        for range in ["bytes=0-0", "bytes=100-199", "bytes=-10", "bytes=1048000-", " BYTES=5-9 ", "bytes=0-99999999"] {
            for method in [HTTPRequest.Method.get, .head] {
                let fromHead = try #require(
                    server.singleRangeAnswer(method: method, path: "/large.bin", acceptEncoding: nil, range: range),
                    "\(range)"
                )
                let request = HTTPRequest(method: method, scheme: nil, authority: nil, path: "/large.bin", headerFields: [.range: range])
                let decided = try #require(server.cachedAnswer(to: request), "\(range)")
                #expect(fromHead.status == .partialContent)
                #expect(fromHead.headers == decided.headers, "\(range)")
                #expect(Self.lines(fromHead.http1Head) == Self.lines(decided.http1Head), "\(range)")
                #expect(fromHead.http1Head.headers.count < decided.http1Head.headers.count, "written in runs")
                #expect(fromHead.sendsBody == (method == .get) && decided.sendsBody == fromHead.sendsBody)
                #expect(fromHead.segments.map(\.length) == decided.segments.map(\.length))
                guard case .file(let offset, _) = fromHead.segments.first, case .file(let decidedOffset, _) = decided.segments.first else {
                    Issue.record("not a file segment: \(range)")
                    continue
                }
                #expect(offset == decidedOffset, "\(range)")
            }
        }
    }

    /// Several ranges, none satisfiable, or a header the engine ignores: the engine decides.
    @Test func otherRangesAreLeftToTheEngine() throws {
        let directory = try TemporaryDirectory()
        let server = try Self.server(directory: directory, mountFields: [HTTPField(name: .cacheControl, value: "no-cache")])
        for range in ["bytes=0-1,5-6", "bytes=2000000-", "bytes=x-y", "items=0-1", "bytes=5-1"] {
            #expect(server.singleRangeAnswer(method: .get, path: "/large.bin", acceptEncoding: nil, range: range) == nil, "\(range)")
        }
        #expect(server.singleRangeAnswer(method: .get, path: "/other.bin", acceptEncoding: nil, range: "bytes=0-1") == nil)
        #expect(server.singleRangeAnswer(method: .get, path: "/large.bin", acceptEncoding: "gzip", range: "bytes=0-1") == nil)
    }
}
