import Crypto
import Foundation
import NIOCore
import NIOPosix
import TestSupport
import Testing

@testable import Storage

/// A tus piece of declared length leaves its last 4 MiB unhashed when its request ends; they are
/// hashed from the partial file behind its answer, and the upload's digest comes out whole.
@Suite struct ResumableUploadsTests {
    static func append(_ bytes: [UInt8], to upload: ResumableUpload, at offset: Int64, in uploads: ResumableUploads) async throws -> Int64 {
        let piece = try await uploads.append(to: upload, at: offset, limit: .max, declared: Int64(bytes.count), checksum: nil)
        for start in stride(from: 0, to: bytes.count, by: 64 << 10) {
            try await piece.write(ByteBuffer(bytes: bytes[start..<min(bytes.count, start + (64 << 10))]))
        }
        return try await piece.commit()
    }

    @Test func aPieceLeavesItsLastBytesUnhashedForAfterItsAnswer() async throws {
        let directory = try TemporaryDirectory()
        let bytes = (0..<(6 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let fd = open(directory.path + "/staged", O_WRONLY | O_CREAT, 0o600)
        let staging = LocalBlobStaging(
            fd: fd,
            path: directory.path + "/staged",
            durable: false,
            threadPool: .singleton,
            allocator: ByteBufferAllocator(),
            hashingBefore: 2 << 20
        )
        try await staging.write(ByteBuffer(bytes: bytes))
        let (size, hasher) = try await staging.pause()
        #expect(size == 6 << 20)
        #expect(Array(hasher.finalize()) == Array(SHA256.hash(data: bytes[..<(2 << 20)])))
    }

    @Test func theDigestOfPiecesWithTrailingHashesIsWholeAndSurvivesARestart() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false)
        let first = (0..<(6 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let second = (0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let owner = Principal(name: "admin", isAdmin: true)
        let created = try await uploads.create(owner: "admin", length: 11 << 20, metadata: nil, concatenation: nil, lifetime: 3_600_000_000)
        #expect(try await Self.append(first, to: created, at: 0, in: uploads) == 6 << 20)
        #expect(try await Self.append(second, to: try await uploads.upload(created.id, as: owner), at: 6 << 20, in: uploads) == 11 << 20)
        let expected = BlobDigest(bytes: SHA256.hash(data: first + second))
        let upload = try await uploads.upload(created.id, as: owner)
        #expect(try await uploads.staged(upload).blob.digest == expected)
        // Another process on the same directory knows no hash state: it reads the file again.
        let restarted = try ResumableUploads(root: directory.path, durable: false)
        #expect(try await restarted.staged(upload).blob.digest == expected)
    }

    /// A creation a crash cut short leaves a folder without `info.json`: the expiry sweep removes
    /// it once it is a minute old (a creation under way is younger), and leaves uploads alone.
    @Test func theSweepRemovesFoldersOfCreationsCutShort() async throws {
        let directory = try TemporaryDirectory()
        let uploads = try ResumableUploads(root: directory.path, durable: false)
        let kept = try await uploads.create(owner: "admin", length: 10, metadata: nil, concatenation: nil, lifetime: 3_600_000_000)
        let resumable = directory.path + "/resumable"
        for name in ["abandoned", "beingCreated"] {
            try FileManager.default.createDirectory(atPath: resumable + "/" + name, withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: resumable + "/" + name + "/data"))
        }
        let twoMinutesAgo = Date(timeIntervalSinceNow: -120)
        try FileManager.default.setAttributes([.modificationDate: twoMinutesAgo], ofItemAtPath: resumable + "/abandoned")
        #expect(try await uploads.removeExpired() == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: resumable).sorted() == ["beingCreated", kept.id].sorted())
    }
}
