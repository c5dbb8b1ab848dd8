import Foundation
import Glibc
import NIOCore
import Testing

@testable import FileResponses

/// A local file source closes a descriptor it owns, and one lent to it stays with its holder, which
/// the source keeps alive only until it is closed.
@Suite struct LocalFileSourceTests {
    /// Closes its descriptor when it goes, as the static files' open files do.
    final class Holder: Sendable {
        let descriptor: Int32
        init(descriptor: Int32) { self.descriptor = descriptor }
        deinit { close(self.descriptor) }
    }

    static func file(_ contents: String) throws -> (path: String, descriptor: Int32) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-source-\(UUID().uuidString)").path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        try #require(descriptor >= 0)
        return (path, descriptor)
    }

    /// Whether `descriptor` still names the file at `path` (its number may be reused by another
    /// open once closed, but not for that file).
    static func names(_ descriptor: Int32, _ path: String) -> Bool {
        var opened = stat()
        var named = stat()
        return fstat(descriptor, &opened) == 0 && stat(path, &named) == 0 && opened.st_ino == named.st_ino && opened.st_dev == named.st_dev
    }

    @Test func closingAnOwnedDescriptorClosesIt() async throws {
        let (path, descriptor) = try Self.file("owned bytes")
        defer { unlink(path) }
        let source = LocalFileSource(descriptor: descriptor, size: 11)
        #expect(String(buffer: try await source.read(offset: 6, length: 5)) == "bytes")
        try await source.close()
        #expect(!Self.names(descriptor, path))
    }

    @Test func aLentDescriptorStaysWithItsHolder() async throws {
        let (path, descriptor) = try Self.file("lent bytes")
        defer { unlink(path) }
        var holder: Holder? = Holder(descriptor: descriptor)
        weak let held = holder
        let source = LocalFileSource(descriptor: descriptor, size: 10, heldOpenBy: holder!)
        holder = nil
        #expect(held != nil, "the source keeps the holder while it reads")
        #expect(String(buffer: try await source.read(offset: 0, length: 4)) == "lent")
        #expect(Self.names(descriptor, path))
        try await source.close()
        #expect(held == nil, "closing lets go of the holder, which closes the file")
        #expect(!Self.names(descriptor, path))
    }
}
