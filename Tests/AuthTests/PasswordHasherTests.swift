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
}
