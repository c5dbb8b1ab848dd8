import HTTPTypes
import NIOConcurrencyHelpers
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

    private struct Entry {
        let answer: CachedStaticAnswer
        let stored: NIODeadline
    }

    private static let preconditions: [HTTPField.Name] = [.range, .ifRange, .ifMatch, .ifNoneMatch, .ifModifiedSince, .ifUnmodifiedSince]

    private let entries = NIOLockedValueBox<[Key: Entry]>([:])
    private let validity: TimeAmount
    private let capacity: Int

    init(validity: TimeAmount = .seconds(1), capacity: Int = 4096) {
        self.validity = validity
        self.capacity = capacity
    }

    /// The key of a request whose answer depends on its path, method and `Accept-Encoding` only.
    static func key(for request: HTTPRequest, path: Substring) -> Key? {
        for name in Self.preconditions where request.headerFields[name] != nil { return nil }
        return Key(path: String(path), method: request.method, acceptEncoding: request.headerFields[.acceptEncoding])
    }

    /// The answer stored under `key` less than a second ago.
    func lookup(_ key: Key) -> CachedStaticAnswer? {
        guard let entry = self.entries.withLockedValue({ $0[key] }), NIODeadline.now() - entry.stored < self.validity else { return nil }
        return entry.answer
    }

    /// Keeps an answer whose bytes are in memory.
    func store(_ answer: CachedStaticAnswer, for key: Key) {
        guard case .memory = answer.body.content else { return }
        let entry = Entry(answer: answer, stored: .now())
        self.entries.withLockedValue { entries in
            if entries.count >= self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = entry
        }
    }
}
