import Foundation
import Hummingbird
import NIOCore
import Routing
import Storage

/// hummingbird-auth's session middleware keeps sessions through a `PersistDriver`; this one keeps
/// Wharf's sessions in the metadata database (`SessionStore`), so they survive a restart and end
/// with their user. It keeps nothing but `WharfSession`s.
struct SessionPersistDriver: PersistDriver {
    let store: SessionStore

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        if try await self.store.get(id: key) != nil { throw PersistError.duplicate }
        try await self.set(key: key, value: value, expires: expires)
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        guard let session = value as? WharfSession else { throw PersistError.invalidConversion }
        try await self.store.put(id: key, user: session.user, data: String(buffer: JSONCoding.encode(session)), lifetime: expires)
    }

    func get<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> Object? {
        try await self.getWithTTL(key: key, as: Object.self)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        guard let stored = try await self.store.get(id: key) else { return nil }
        guard let object = try? JSONDecoder().decode(Object.self, from: Data(stored.data.utf8)) else {
            throw PersistError.invalidConversion
        }
        return (object, stored.remaining)
    }

    func remove(key: String) async throws {
        try await self.store.remove(id: key)
    }
}
