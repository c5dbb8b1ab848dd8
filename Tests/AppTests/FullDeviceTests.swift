import App
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// A storage device that fills up, for real: a 32 MiB tmpfs mounted under the storage root.
@Suite(.serialized) struct FullDeviceTests {
    /// Runs `body` with the storage root of `app` on a fresh 32 MiB tmpfs, unmounted afterwards.
    static func onSmallDevice(_ app: TestApp, _ body: (String) async throws -> Void) async throws {
        let root = app.configuration.storageDirectory
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let mounted = try await Command.run("mount", ["-t", "tmpfs", "-o", "size=32M", "tmpfs", root])
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

    /// More than the 32 MiB device holds.
    static let largeSourceSize = 48 << 20

    /// Runs `body` with a live app on the small device and a random file of `largeSourceSize`
    /// bytes to send it.
    static func withLargeSource(_ body: @Sendable (TestApp, Int, String) async throws -> Void) async throws {
        let app = try TestApp()
        try await Self.onSmallDevice(app) { _ in
            try await app.live { client in
                let directory = try TemporaryDirectory()
                let source = directory.path + "/large.bin"
                try await Fixtures.randomFile(at: source, size: Self.largeSourceSize)
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
    @Test func aDeclaredBodyTheDeviceCannotHoldIsRefusedAsItStarts() async throws {
        try await Self.withLargeSource { app, port, source in
            let raw = try await Curl.request(port: port, "/api/files?name=large.bin", ["-T", source])
            let upload = try await TusWireTests.create(port: port, length: Self.largeSourceSize)
            let piece = try await Curl.request(port: port, upload, Self.firstPiece + ["-T", source])
            for refused in [raw, piece] {
                #expect(refused.status == 507)
                #expect(refused.uploaded < 16 << 20, "\(refused.uploaded)")
            }
            #expect(try await TusWireTests.offset(port: port, upload) == 0)
            #expect(app.stagedFiles.isEmpty)
        }
    }

    /// A piece of no declared length that runs into the reserve mid-way is dropped whole with a
    /// 507: the upload stays where it was, and takes the next piece.
    @Test func aPieceThatRunsOutOfRoomMidWayIsDroppedAndTheUploadGoesOn() async throws {
        try await Self.withLargeSource { _, port, source in
            let upload = try await TusWireTests.create(port: port, length: Self.largeSourceSize)
            let cut = try await Curl.request(port: port, upload, Self.firstPiece + ["-H", "Transfer-Encoding: chunked", "-T", source])
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
