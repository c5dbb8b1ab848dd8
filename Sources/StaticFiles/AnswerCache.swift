import FileResponses
import HTTPTypes
import NIOCore

/// Whole answers from memory to plain GETs and HEADs (no range, no precondition), trusted for a
/// second as nginx's open_file_cache trusts what it found: a hot small file then costs a dictionary
/// lookup, not a path walk, a `stat` and an answer built anew. A file changed on disk is served new
/// within that second, and never mixed: an entry holds one version's head and bytes together.
final class AnswerCache: Sendable {
    struct Key: Hashable {
        let path: String
        let method: HTTPRequest.Method
        let acceptEncoding: String?
    }

    /// The fields whose presence keeps a request out of the cache.
    static let preconditions: [HTTPField.Name] = [.range, .ifRange, .ifMatch, .ifNoneMatch, .ifModifiedSince, .ifUnmodifiedSince]

    private let answers = TrustedCache<Key, CachedStaticAnswer>()

    /// The key of a request whose answer depends on its path, method and `Accept-Encoding` only.
    static func key(for request: HTTPRequest, path: Substring) -> Key? {
        for name in Self.preconditions where request.headerFields.contains(name) { return nil }
        return Key(path: String(path), method: request.method, acceptEncoding: request.headerFields.value(of: .acceptEncoding))
    }

    /// The answer stored under `key` less than a second ago.
    func lookup(_ key: Key) -> CachedStaticAnswer? {
        self.answers.lookup(key)
    }

    /// Forgets the answers no longer trusted.
    func removeExpired() {
        self.answers.removeExpired()
    }

    /// Whether an answer with this body is kept: one whose bytes are in memory.
    static func keeps(_ body: StaticBody) -> Bool {
        if case .memory = body.content { return true }
        return false
    }

    /// Keeps an answer whose bytes are in memory.
    func store(_ answer: CachedStaticAnswer, for key: Key) {
        guard case .memory(let bytes) = answer.body.content else { return }
        self.answers.store(answer, bytes: bytes.readableBytes, for: key)
    }
}
