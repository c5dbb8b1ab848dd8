import App
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// A storage device that fills up, for real: a tmpfs mounted under the storage root, 32 MiB unless a
/// test needs more.
@Suite(.serialized) struct FullDeviceTests {
    /// Runs `body` with the storage root of `app` on a fresh tmpfs of `size` bytes, unmounted
    /// afterwards.
    static func onSmallDevice(_ app: TestApp, size: Int = 32 << 20, _ body: (String) async throws -> Void) async throws {
        let root = app.configuration.storageDirectory
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let mounted = try await Command.run("mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", root])
        try #require(mounted.status == 0, "the test mounts a tmpfs (it runs as root): \(mounted.stderr)")
        do {
            try await body(root)
        } catch {
            try await Command.run("umount", ["--lazy", root])
            throw error
        }
        try await Command.run("umount", ["--lazy", root])
    }

    /// curl's arguments for a tus piece at offset 0 (the body to add).
    static let firstPiece = TusWireTests.tus + ["-X", "PATCH", "-H", "Content-Type: application/offset+octet-stream", "-H", "Upload-Offset: 0"]

    /// A file half as large again as the device it is sent to.
    struct LargeSource {
        let path: String
        let size: Int
    }

    /// Runs `body` with a live app on a device of `deviceSize` bytes and a random file that the
    /// device cannot hold.
    static func withLargeSource(
        deviceSize: Int = 32 << 20,
        _ body: @Sendable (TestApp, Int, LargeSource) async throws -> Void
    ) async throws {
        let app = try TestApp()
        try await Self.onSmallDevice(app, size: deviceSize) { _ in
            try await app.live { client in
                let directory = try TemporaryDirectory()
                let source = LargeSource(path: directory.path + "/large.bin", size: deviceSize + deviceSize / 2)
                try await Fixtures.randomFile(at: source.path, size: source.size)
                try await body(app, client.port!, source)
            }
        }
    }

    static func freeBytes(_ path: String) throws -> Int64 {
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: path)
        return try #require((attributes[.systemFreeSize] as? NSNumber)?.int64Value)
    }

    /// Uploads stop short of the last 1% of the device: had one taken the last free block, no file
    /// could be deleted any more (a delete writes to the database before it frees anything).
    @Test func uploadsLeaveTheDeviceRoomToDeleteFiles() async throws {
        let app = try TestApp()
        try await Self.onSmallDevice(app) { root in
            try await app.live { client in
                let port = client.port!
                let directory = try TemporaryDirectory()
                try await Fixtures.randomFile(at: directory.path + "/first.bin", size: 8 << 20)
                let first = try await Curl.request(port: port, "/api/files?name=first.bin", ["-T", directory.path + "/first.bin"])
                #expect(first.status == 201)
                // Exactly what is free but 64 KiB: it fits on the device, not beside the reserve.
                let filling = Int(try Self.freeBytes(root)) - (64 << 10)
                try await Fixtures.randomFile(at: directory.path + "/filling.bin", size: filling)
                for arguments in [["-T", directory.path + "/filling.bin"], ["-F", "file=@" + directory.path + "/filling.bin"]] {
                    let refused = try await Curl.request(port: port, "/api/files?name=filling.bin", arguments)
                    #expect(refused.status == 507, "\(arguments)")
                    let detail = String(decoding: refused.body, as: UTF8.self)
                    #expect(detail.contains("so that files can still be deleted"), "\(detail)")
                }
                #expect(app.stagedFiles.isEmpty)
                let id = try first.decoded(FileRecordBody.self).id
                let deleted = try await Curl.request(port: port, "/api/files/\(id)", ["-X", "DELETE"])
                #expect(deleted.status == 204)
                #expect(try await app.holdsNothing(port: port))
            }
        }
    }

    /// A device another program filled to the last block still lets files be deleted: the delete
    /// is recorded in the room kept for it, which a later delete makes again once there is space.
    @Test func aDeviceAnotherProgramFilledStillDeletesFiles() async throws {
        let app = try TestApp()
        try await Self.onSmallDevice(app) { root in
            try await app.live { client in
                let port = client.port!
                let room = root + "/wharf.sqlite-room-to-delete"
                #expect(FileManager.default.fileExists(atPath: room))
                let directory = try TemporaryDirectory()
                var ids: [String] = []
                for name in ["a.bin", "b.bin"] {
                    try await Fixtures.randomFile(at: directory.path + "/" + name, size: 2 << 20)
                    let uploaded = try await Curl.request(port: port, "/api/files?name=" + name, ["-T", directory.path + "/" + name])
                    ids.append(try uploaded.decoded(FileRecordBody.self).id)
                }
                _ = try await Command.run("dd", ["if=/dev/zero", "of=" + root + "/filler", "bs=1M", "count=64"])
                #expect(try Self.freeBytes(root) == 0)
                let first = try await Curl.request(port: port, "/api/files/\(ids[0])", ["-X", "DELETE"])
                #expect(first.status == 204, "\(String(decoding: first.body, as: UTF8.self))")
                #expect(!FileManager.default.fileExists(atPath: room))
                try FileManager.default.removeItem(atPath: root + "/filler")
                #expect(try await Curl.request(port: port, "/api/files/\(ids[1])", ["-X", "DELETE"]).status == 204)
                #expect(FileManager.default.fileExists(atPath: room), "made again once there is space")
                #expect(try await app.holdsNothing(port: port))
            }
        }
    }

    /// A body that declares more than the device holds is refused as it starts, not once the
    /// device is full (its room is claimed first; what arrives is what the sockets took before the
    /// answer): for a raw upload and for a piece of a resumable one, whose offset stays where it was.
    /// The device is far larger than what loopback sockets hold in flight (this kernel lets a
    /// receive window grow to 32 MiB), so that a late refusal could not pass for an early one.
    @Test func aDeclaredBodyTheDeviceCannotHoldIsRefusedAsItStarts() async throws {
        let deviceSize = 256 << 20
        try await Self.withLargeSource(deviceSize: deviceSize) { app, port, source in
            let raw = try await Curl.request(port: port, "/api/files?name=large.bin", ["-T", source.path])
            let upload = try await TusWireTests.create(port: port, length: source.size)
            let piece = try await Curl.request(port: port, upload, Self.firstPiece + ["-T", source.path])
            for refused in [raw, piece] {
                #expect(refused.status == 507)
                #expect(refused.uploaded < deviceSize / 4, "\(refused.uploaded)")
            }
            #expect(try await TusWireTests.offset(port: port, upload) == 0)
            #expect(app.stagedFiles.isEmpty)
        }
    }

    /// A piece of no declared length that runs into the reserve mid-way is dropped whole with a
    /// 507: the upload stays where it was, and takes the next piece.
    @Test func aPieceThatRunsOutOfRoomMidWayIsDroppedAndTheUploadGoesOn() async throws {
        try await Self.withLargeSource { _, port, source in
            let upload = try await TusWireTests.create(port: port, length: source.size)
            let cut = try await Curl.request(port: port, upload, Self.firstPiece + ["-H", "Transfer-Encoding: chunked", "-T", source.path])
            #expect(cut.status == 507)
            #expect(try await TusWireTests.offset(port: port, upload) == 0)
            #expect(try await Curl.request(port: port, upload, Self.firstPiece + ["--data-binary", "hello"]).status == 204)
            #expect(try await TusWireTests.offset(port: port, upload) == 5)
        }
    }

    /// A tus upload created on a device something else filled leaves nothing behind: its 507 is
    /// all there is.
    @Test func aResumableUploadRefusedForSpaceLeavesNoFolder() async throws {
        let app = try TestApp()
        try await Self.onSmallDevice(app) { root in
            try await app.live { client in
                let port = client.port!
                let filler = root + "/filler"
                _ = try await Command.run("dd", ["if=/dev/zero", "of=" + filler, "bs=1M", "count=64"])
                #expect(try Self.freeBytes(root) == 0)
                let created = try await Curl.request(port: port, "/api/uploads/", TusWireTests.tus + ["-X", "POST", "-H", "Upload-Length: 10"])
                #expect(created.status == 507)
                #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/resumable") == [])
                try FileManager.default.removeItem(atPath: filler)
                let again = try await Curl.request(port: port, "/api/uploads/", TusWireTests.tus + ["-X", "POST", "-H", "Upload-Length: 10"])
                #expect(again.status == 201)
            }
        }
    }
}
