import NIOCore
import Testing

@testable import StaticFiles

@Suite struct TrustedCacheTests {
    @Test func aValueIsTrustedForItsValidityOnly() async throws {
        let cache = TrustedCache<String, Int>(validity: .milliseconds(200))
        cache.store(1, bytes: 0, for: "a")
        #expect(cache.lookup("a") == 1)
        #expect(cache.lookup("b") == nil)
        try await Task.sleep(for: .milliseconds(250))
        #expect(cache.lookup("a") == nil)
        cache.store(2, bytes: 0, for: "a")
        cache.remove("a")
        #expect(cache.lookup("a") == nil)
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
