import Foundation
import TestSupport
import Testing

@testable import Storage

@Suite struct UserAccountsTests {
    let directory: TemporaryDirectory
    let catalog: SQLiteCatalog
    let users: UserAccounts

    init() throws {
        self.directory = try TemporaryDirectory()
        self.catalog = try SQLiteCatalog(path: self.directory.path + "/wharf.sqlite", durable: false)
        self.users = UserAccounts(catalog: self.catalog)
    }

    /// A user who owns files is deleted only by giving the files to another user, so that a later
    /// user of the same name inherits nothing.
    @Test func aUserWithFilesIsDeletedOnlyByGivingThemAway() async throws {
        try await self.users.add(name: "zoe", passwordHash: "hash", role: .user)
        try await self.users.add(name: "adam", passwordHash: "hash", role: .admin)
        let file = makeRecord(name: "z.txt", size: 1, createdAt: 1, owner: "zoe")
        _ = try await self.catalog.commit(UnitOfWork([.insert(file)]))

        let kept = await #expect(throws: StorageError.self) { try await self.users.delete(named: "zoe") }
        #expect(kept?.code == .inUse)
        #expect(kept?.message == "'zoe' still owns 1 file: give them to another user (--transfer-to NAME) or delete them first.")
        let noHeir = await #expect(throws: StorageError.self) { try await self.users.delete(named: "zoe", transferringFilesTo: "nobody") }
        #expect(noHeir?.code == .notFound)
        let herself = await #expect(throws: StorageError.self) { try await self.users.delete(named: "zoe", transferringFilesTo: "zoe") }
        #expect(herself?.message == "The files of 'zoe' cannot go to 'zoe', who is being deleted: name another user.")
        #expect(try await self.users.list().map(\.name) == ["adam", "zoe"])

        try await self.users.delete(named: "zoe", transferringFilesTo: "adam")
        #expect(try await self.users.list().map(\.name) == ["adam"])
        #expect(try await self.catalog.file(id: file.id)?.owner == "adam")
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
