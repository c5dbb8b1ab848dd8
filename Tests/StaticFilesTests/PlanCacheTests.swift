import FileResponses
import Foundation
import HTTPTypes
import NIOCore
import TestSupport
import Testing

@testable import StaticFiles

/// The plan cache holds large files open (no open per answer) within bounds: a file stays open
/// while a plan or an answer holds it, and no more than 256 are held, whatever is asked.
@Suite struct PlanCacheTests {
    /// Descriptors of this process open on files under `directory`.
    static func descriptors(under directory: String) throws -> Int {
        try openDescriptorTargets().filter { $0.hasPrefix(directory + "/") }.count
    }

    static func entry(of path: String) throws -> PlanCache.Entry {
        let (plan, body) = try plannedFile(at: path, mountFields: [HTTPField(name: .cacheControl, value: "no-cache")])
        let response = FileResponse(contentType: "application/octet-stream", entityTag: EntityTag("hash"), lastModified: nil, disposition: nil)
        return PlanCache.Entry(
            plan: plan,
            body: body,
            response: response,
            endpointPath: "static:/",
            partialHead: nil
        )
    }

    static func key(_ path: String) -> PlanCache.Key {
        PlanCache.Key(path: path[...], request: .init(method: .get, scheme: nil, authority: nil, path: path))
    }

    @Test func atMost256FilesAreHeldOpen() throws {
        let directory = try TemporaryDirectory()
        let cache = PlanCache()
        for index in 0..<300 {
            let path = directory.path + "/file-\(index).bin"
            try Data("file \(index)".utf8).write(to: URL(fileURLWithPath: path))
            cache.store(try Self.entry(of: path), for: Self.key(path))
            #expect(try Self.descriptors(under: directory.path) <= 256)
        }
        #expect(try Self.descriptors(under: directory.path) > 0)
        #expect(cache.lookup(Self.key(directory.path + "/file-299.bin"))?.isCurrent == true)
    }

    /// A plan's file is closed once the plan is forgotten and no answer holds it any more; one
    /// rewritten in place is no longer sent from.
    @Test func aFileIsClosedWhenNothingHoldsIt() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/held.bin"
        try Data("first version".utf8).write(to: URL(fileURLWithPath: path))
        let cache = PlanCache()
        let key = Self.key(path)
        do {
            cache.store(try Self.entry(of: path), for: key)
        }
        do {
            let answering = try #require(cache.lookup(key))
            #expect(answering.isCurrent)
            cache.remove(key)
            let held = try withExtendedLifetime(answering) { try Self.descriptors(under: directory.path) }
            #expect(held == 1, "the answer still holds it")
        }
        #expect(try Self.descriptors(under: directory.path) == 0)

        cache.store(try Self.entry(of: path), for: key)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Data("second version".utf8))
        try handle.close()
        #expect(cache.lookup(key)?.isCurrent == false, "rewritten in place")
    }
}
