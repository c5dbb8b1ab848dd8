import Foundation
import TestSupport
import Testing

@testable import Storage

@Suite struct UserAccountsTests {
    let directory: TemporaryDirectory
    let users: UserAccounts

    init() throws {
        self.directory = try TemporaryDirectory()
        self.users = UserAccounts(catalog: try SQLiteCatalog(path: self.directory.path + "/wharf.sqlite", durable: false))
    }

    @Test func usersAreAddedListedByNameChangedAndDeleted() async throws {
        #expect(try await self.users.isEmpty())
        let zoe = try await self.users.add(name: "zoe", passwordHash: "hash-1", role: .user)
        try await self.users.add(name: "adam", passwordHash: "hash-2", role: .admin)
        #expect(try await !self.users.isEmpty())
        #expect(try await self.users.list().map(\.name) == ["adam", "zoe"])
        #expect(try await self.users.user(named: "zoe") == zoe)

        try await self.users.changePasswordHash(of: "zoe", to: "hash-3")
        #expect(try await self.users.user(named: "zoe").passwordHash == "hash-3")
        try await self.users.delete(named: "zoe")
        #expect(try await self.users.list().map(\.name) == ["adam"])
    }

    @Test func aTakenNameAndAMissingUserAreNamedInTheError() async throws {
        try await self.users.add(name: "zoe", passwordHash: "hash", role: .user)
        let taken = await #expect(throws: StorageError.self) { try await self.users.add(name: "zoe", passwordHash: "other", role: .admin) }
        #expect(taken?.code == .alreadyExists && taken?.message == "A user named 'zoe' already exists.")
        #expect(try await self.users.user(named: "zoe").passwordHash == "hash")
        for missing in [{ try await self.users.delete(named: "nobody") }, { try await self.users.changePasswordHash(of: "nobody", to: "x") }] {
            let error = await #expect(throws: StorageError.self) { try await missing() }
            #expect(error?.code == .notFound && error?.message == "No user is named 'nobody'.")
        }
    }
}
