import Crypto
import Foundation
import GRDB
import TestSupport
import Testing

@testable import Storage

/// Sign-in sessions in the metadata database: kept under the SHA-256 of their id, so that a copy
/// of the database opens none; ended ones are not found; they go with their user.
@Suite struct SessionStoreTests {
    @Test func aSessionIsKeptUnderTheHashOfItsIdOnly() async throws {
        let directory = try TemporaryDirectory()
        let storage = try await LocalStorage.open(root: directory.path, durable: false)
        _ = try await storage.users.add(name: "alice", passwordHash: "not a hash this test checks", role: .user)
        let id = "a-session-id-that-only-the-browser-holds"
        try await storage.sessions.put(id: id, user: "alice", data: "{\"user\":\"alice\"}", lifetime: .seconds(3600))
        #expect(try await storage.sessions.get(id: id)?.data == "{\"user\":\"alice\"}")
        #expect(try await storage.sessions.get(id: id + "x") == nil)

        let database = try DatabaseQueue(path: directory.path + "/wharf.sqlite")
        let keys = try await database.read { db in try String.fetchAll(db, sql: "SELECT id_hash FROM sessions") }
        let digest = SHA256.hash(data: Array(id.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(keys == [digest])
        let dump = try await database.read { db in try String.fetchAll(db, sql: "SELECT id_hash || user_name || data FROM sessions") }
        #expect(!dump.joined().contains(id), "the id itself is nowhere in the database")

        try await storage.sessions.put(id: "short-lived", user: "alice", data: "{}", lifetime: .microseconds(1))
        try await Task.sleep(for: .milliseconds(5))
        #expect(try await storage.sessions.get(id: "short-lived") == nil, "an ended session is not found")
        try await storage.users.delete(named: "alice")
        #expect(try await storage.sessions.get(id: id) == nil, "sessions go with their user")
    }
}
