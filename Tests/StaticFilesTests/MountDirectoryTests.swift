import Foundation
import NIOCore
import TestSupport
import Testing

@testable import StaticFiles

@Suite struct MountDirectoryTests {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-mount-\(UUID().uuidString)").path

    func release(_ name: String, page: String) throws -> String {
        let directory = self.base + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(page.utf8).write(to: URL(fileURLWithPath: directory + "/index.html"))
        return directory
    }

    func page(_ directory: MountDirectory) throws -> String {
        let file = try #require(directory.lookup(directory.path + "/index.html"))
        let descriptor = try #require(directory.openForReading(file.path))
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        return String(decoding: bytes.prefix(max(0, count)), as: UTF8.self)
    }

    @Test func aDirectoryRenamedOverTheRootIsServedAfterTheRecheck() async throws {
        defer { try? FileManager.default.removeItem(atPath: self.base) }
        let site = try self.release("site", page: "one")
        let next = try self.release("site.next", page: "two")
        let directory = try #require(MountDirectory(path: site, recheckInterval: .milliseconds(100)))
        #expect(try self.page(directory) == "one")
        try FileManager.default.moveItem(atPath: site, toPath: self.base + "/site.old")
        #expect(rename(next, site) == 0)
        try await waitUntil("the new directory is served") { try self.page(directory) == "two" }
    }

    @Test func aSwitchedCurrentSymlinkIsFollowedAfterTheRecheck() async throws {
        defer { try? FileManager.default.removeItem(atPath: self.base) }
        let first = try self.release("releases/1", page: "one")
        let second = try self.release("releases/2", page: "two")
        let current = self.base + "/current"
        try FileManager.default.createSymbolicLink(atPath: current, withDestinationPath: first)
        // An interval no busy machine outruns, so that "within it the root stands" cannot flake.
        let directory = try #require(MountDirectory(path: current, recheckInterval: .seconds(1)))
        #expect(try self.page(directory) == "one")
        // As deploy tools do: a new link renamed over the old one, atomically.
        try FileManager.default.createSymbolicLink(atPath: current + ".new", withDestinationPath: second)
        #expect(rename(current + ".new", current) == 0)
        #expect(try self.page(directory) == "one", "within the recheck interval the open root stands")
        try await waitUntil("the switched link is followed") { try self.page(directory) == "two" }
        #expect(directory.path == RealPath.resolve(second))
    }
}
