import Auth
import Testing

@Suite struct PasswordHasherTests {
    @Test func aHashVerifiesItsPasswordAndNoOther() {
        let hasher = PasswordHasher(cost: 4)
        let hash = hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$2b$04$") && !hash.contains("correct horse"))
        #expect(hasher.verify("correct horse battery", hash: hash))
        #expect(!hasher.verify("correct horse battery!", hash: hash))
        #expect(hasher.hash("correct horse battery") != hash, "each hash has its own salt")
    }

    @Test func randomPasswordsAreLongUnambiguousAndDifferent() {
        let passwords = (0..<50).map { _ in PasswordHasher.randomPassword() }
        #expect(Set(passwords).count == 50)
        #expect(passwords.allSatisfy { $0.count == 24 && !$0.contains(where: { "lIO01".contains($0) }) })
    }

    /// A sign-in for a name that does not exist runs bcrypt at the hasher's cost as a known name
    /// does: at cost 10 no check can take under a few milliseconds, so anything faster skipped
    /// the work. (Only a lower bound: a loaded machine makes both slower, never faster.)
    @Test func anUnknownUserCostsABcryptCheck() async throws {
        let hasher = PasswordHasher(cost: 10)
        let hash = hasher.hash("correct horse battery")
        _ = try await hasher.matchNone("warm-up")
        let clock = ContinuousClock()
        var matched = [true, true]
        let known = try await clock.measure { matched[0] = try await hasher.matches("wrong guess", hash: hash) }
        let unknown = try await clock.measure { matched[1] = try await hasher.matchNone("wrong guess") }
        #expect(matched == [false, false])
        #expect(known > .milliseconds(5) && unknown > .milliseconds(5), "known \(known), unknown \(unknown)")
    }
}
