import App
import ArgumentParser
import Logging

/// `wharf user`: the users of a storage root, without a running server.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list, change and delete users.",
        subcommands: [Add.self, List.self, Passwd.self, Role.self, Quota.self, Delete.self]
    )

    /// The storage root's accounts, hashing with `cost`.
    static func accounts(_ storage: StorageOptions, cost: Int = AppConfiguration().bcryptCost) async throws -> Accounts {
        var configuration = AppConfiguration()
        configuration.storageDirectory = try storage.resolved()
        configuration.bcryptCost = cost
        return try await Wharf.openAccounts(configuration: configuration, logger: Logger(label: "wharf"))
    }

    /// `wharf user add NAME [--admin]`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; the password is asked for, or read with --password-stdin.")

        @Argument(help: "The user's name: 1 to 64 letters, digits, '.', '_' or '-'.")
        var name: String

        @Flag(help: "The user is an admin: sees and manages every file.")
        var admin = false

        @Option(help: "Most bytes the user's files may hold, e.g. 10GiB (default: the server's --default-quota).", transform: ByteSize.argument)
        var quota: ByteSize?

        @OptionGroup var password: PasswordOptions
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let accounts = try await UserCommand.accounts(self.storage, cost: try self.password.resolvedCost())
            try await accounts.add(name: self.name, password: try self.password.read(), isAdmin: self.admin, quota: self.quota?.bytes)
            print("Added \(self.admin ? "admin" : "user") '\(self.name)'.")
        }
    }

    /// `wharf user list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users: name, role, created (UTC), bytes their files hold, quota.")

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            for user in try await UserCommand.accounts(self.storage).list() {
                print("\(user.name)\t\(user.role)\t\(user.created)\t\(user.used)\t\(user.quota)")
            }
        }
    }

    /// `wharf user passwd NAME`.
    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a user a new password.")

        @Argument(help: "The user's name.")
        var name: String

        @OptionGroup var password: PasswordOptions
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let accounts = try await UserCommand.accounts(self.storage, cost: try self.password.resolvedCost())
            try await accounts.changePassword(of: self.name, to: try self.password.read())
            print("Changed the password of '\(self.name)'.")
        }
    }

    /// `wharf user role NAME admin|user`.
    struct Role: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a user an admin or a plain user; their sessions and tokens end. The last admin stays one."
        )

        /// What a user may be.
        enum Name: String, ExpressibleByArgument, CaseIterable {
            case admin, user
        }

        @Argument(help: "The user's name.")
        var name: String

        @Argument(help: "What the user becomes.")
        var role: Name

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await UserCommand.accounts(self.storage).setRole(of: self.name, isAdmin: self.role == .admin)
            print("'\(self.name)' is \(self.role == .admin ? "an admin" : "a user").")
        }
    }

    /// `wharf user quota NAME SIZE|default`.
    struct Quota: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's storage quota, or 'default' for the server's.")

        @Argument(help: "The user's name.")
        var name: String

        @Argument(help: "A size such as 10GiB, or 'default'.")
        var size: String

        @OptionGroup var storage: StorageOptions

        /// The size read before `run`, so that a wrong one comes with this command's usage.
        func validate() throws {
            _ = try self.quota()
        }

        func run() async throws {
            try await UserCommand.accounts(self.storage).setQuota(of: self.name, to: try self.quota())
            print("Set the quota of '\(self.name)' to \(self.size).")
        }

        /// The quota in bytes; `nil` for the server's default.
        private func quota() throws -> Int64? {
            self.size == "default" ? nil : try ByteSize.argument(self.size).bytes
        }
    }

    /// `wharf user delete NAME`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user (one who owns files only with --transfer-to).")

        @Argument(help: "The user's name.")
        var name: String

        @Option(help: "Give the user's files to this user first.")
        var transferTo: String?

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await UserCommand.accounts(self.storage).delete(named: self.name, transferringFilesTo: self.transferTo)
            print("Deleted '\(self.name)'.")
        }
    }
}
