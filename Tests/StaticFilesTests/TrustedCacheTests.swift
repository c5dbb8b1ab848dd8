import NIOCore
import Testing

@testable import StaticFiles

/// Validities of a second: no busy machine outruns one between a store and the lookup right after it.
@Suite struct TrustedCacheTests {
    @Test func aValueIsTrustedForItsValidityOnly() async throws {
        let cache = TrustedCache<String, Int>(validity: .seconds(1))
        cache.store(1, bytes: 0, for: "a")
        #expect(cache.lookup("a") == 1)
        #expect(cache.lookup("b") == nil)
        try await Task.sleep(for: .milliseconds(1100))
        #expect(cache.lookup("a") == nil)
        cache.store(2, bytes: 0, for: "a")
        cache.remove("a")
        #expect(cache.lookup("a") == nil)
    }

    /// The sweep forgets expired values only, and gives back the bytes they held.
    @Test func removingExpiredValuesKeepsTheTrustedOnes() async throws {
        let cache = TrustedCache<String, Int>(validity: .seconds(1), byteCapacity: 100)
        cache.store(1, bytes: 60, for: "old")
        try await Task.sleep(for: .milliseconds(1100))
        cache.store(2, bytes: 30, for: "new")
        cache.removeExpired()
        #expect(cache.lookup("new") == 2)
        // 30 + 60 fit again only if the expired value's bytes were given back.
        cache.store(3, bytes: 60, for: "other")
        #expect(cache.lookup("new") == 2 && cache.lookup("other") == 3)
    }

    /// Full in entries or in bytes held, the cache starts over: expired values never pile up.
    @Test func aFullCacheStartsOver() {
        let byEntries = TrustedCache<Int, Int>(capacity: 3)
        for key in 0..<3 { byEntries.store(key, bytes: 0, for: key) }
        #expect((0..<3).map { byEntries.lookup($0) } == [0, 1, 2])
        byEntries.store(3, bytes: 0, for: 3)
        #expect((0..<4).map { byEntries.lookup($0) } == [nil, nil, nil, 3])

        let byBytes = TrustedCache<Int, Int>(byteCapacity: 100)
        byBytes.store(0, bytes: 60, for: 0)
        byBytes.store(1, bytes: 30, for: 1)
        // Replacing a value counts only its new size.
        byBytes.store(2, bytes: 40, for: 1)
        #expect(byBytes.lookup(0) == 0 && byBytes.lookup(1) == 2)
        byBytes.remove(1)
        byBytes.store(3, bytes: 40, for: 2)
        #expect(byBytes.lookup(0) == 0 && byBytes.lookup(2) == 3)
        byBytes.store(4, bytes: 1, for: 3)
        #expect(byBytes.lookup(0) == nil && byBytes.lookup(2) == nil && byBytes.lookup(3) == 4)
    }
}
