import Crypto
import Foundation
import NIOPosix
import TestSupport
import Testing

@testable import StaticFiles

/// Validators of static files: a hash of the content, made once per file identity; in the
/// background, one file path at a time.
@Suite struct ContentHashCacheTests {
    /// A file that changes while it is hashed in the background (a log being written) is hashed
    /// again once that hash ends, not once for each identity asked for meanwhile.
    @Test func aPathIsHashedInTheBackgroundOneIdentityAtATime() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/growing.log"
        let content = Data((0..<(9 << 20)).map { UInt8(truncatingIfNeeded: $0 / 7) })
        try content.write(to: URL(fileURLWithPath: path))
        let mount = try #require(MountDirectory(path: directory.path))
        let cache = ContentHashCache()
        let expected = ContentHashCache.hex(SHA256.hash(data: content).prefix(16))
        let first = ContentHashCache.Identity(device: 1, inode: 2, size: Int64(content.count), modified: 3, changed: 4)
        let second = ContentHashCache.Identity(device: 1, inode: 2, size: Int64(content.count), modified: 3, changed: 5)

        #expect(cache.startedHash(of: path, identity: first, in: mount) == nil)
        #expect(cache.startedHash(of: path, identity: second, in: mount) == nil)
        try await waitUntil("the first identity's hash is made") { cache.knownHash(of: first) != nil }
        #expect(cache.knownHash(of: first) == expected)
        // Every job queued on the background thread so far has run, and had time to end its hash.
        try await ContentHashCache.backgroundPool.runIfActive {}
        try await Task.sleep(for: .milliseconds(200))
        #expect(cache.knownHash(of: second) == nil, "not started while the path was being hashed")

        #expect(cache.startedHash(of: path, identity: second, in: mount) == nil)
        try await waitUntil("the second identity's hash is made") { cache.knownHash(of: second) != nil }
        #expect(cache.startedHash(of: path, identity: second, in: mount) == expected)
        let third = ContentHashCache.Identity(device: 1, inode: 2, size: Int64(content.count), modified: 3, changed: 6)
        #expect(try await cache.hash(of: path, identity: third, in: mount) == expected, "a hash a request waits for")
    }
}
