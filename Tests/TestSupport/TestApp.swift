public import App
import Auth
import Foundation
import HTTPTypes
public import HummingbirdTesting
public import Logging

@testable public import Storage

/// Builds Wharf applications over a temporary storage root, as `wharf serve` does.
public struct TestApp: Sendable {
    /// The storage root (and static directory) of this application.
    public let directory: TemporaryDirectory
    /// The configuration it runs with.
    public let configuration: AppConfiguration

    /// A configuration over a new temporary directory; `configure` may change it.
    public init(_ configure: (inout AppConfiguration) -> Void = { _ in }) throws {
        self.directory = try TemporaryDirectory()
        var configuration = AppConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.storageDirectory = self.directory.path + "/storage"
        configuration.staticDirectory = self.directory.path + "/static"
        configuration.fsync = false
        configuration.bcryptCost = 4
        configuration.adminPassword = Self.adminPassword
        configuration.jwtSecret = "a test secret of more than thirty-two bytes"
        configuration.scrubInterval = nil
        configure(&configuration)
        self.configuration = configuration
        try FileManager.default.createDirectory(atPath: configuration.staticDirectory, withIntermediateDirectories: true)
        try Data("<!doctype html><title>Wharf test</title>".utf8).write(to: URL(fileURLWithPath: configuration.staticDirectory + "/index.html"))
    }

    /// The password of `admin`, whom every client of `live` and `router` signs in as.
    public static let adminPassword = "admin-password-for-tests"

    /// A logger that stays quiet unless a test fails loudly.
    public static var logger: Logger {
        var logger = Logger(label: "wharf.test")
        logger.logLevel = .error
        return logger
    }

    /// Opens the storage this application serves, as `wharf serve` does.
    public func files() async throws -> FilesService {
        try await Wharf.openFiles(configuration: self.configuration, logger: Self.logger)
    }

    /// The same storage, but every staged upload fails with `error` once more than `failAfter`
    /// bytes were written, as a full or broken disk would.
    public func failingFiles(failAfter: Int, with error: StorageError = StorageError(.io, "The storage failed to write.")) throws -> FilesService {
        let root = self.configuration.storageDirectory
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return FilesService(
            blobs: FailingBlobStore(base: try LocalBlobStore(root: root, durable: false), failAfter: failAfter, error: error),
            catalog: try SQLiteCatalog(path: root + "/wharf.sqlite", durable: false)
        )
    }

    /// The users of this application's storage, as `wharf user` manages them.
    public func accounts() async throws -> Accounts {
        try await Wharf.openAccounts(configuration: self.configuration, logger: Self.logger)
    }

    /// Runs the application on a real socket for the duration of `body`: for what only the wire
    /// shows (streaming, `100-continue`, disconnects, closes). The client, and curl, sign in as
    /// `admin` with a bearer token unless `anonymous`.
    public func live<Value>(
        files: FilesService? = nil,
        anonymous: Bool = false,
        _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        try await self.test(.live, files: files, anonymous: anonymous, body)
    }

    /// Runs the application in Hummingbird's router test mode (no socket) for the duration of
    /// `body`: for HTTP behaviour that needs no wire. The client signs in as `admin` with a bearer
    /// token unless `anonymous`.
    public func router<Value>(anonymous: Bool = false, _ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await self.test(.router, files: nil, anonymous: anonymous, body)
    }

    private func test<Value>(
        _ mode: TestingSetup,
        files: FilesService?,
        anonymous: Bool,
        _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        var storage = try await Wharf.openStorage(configuration: self.configuration, logger: Self.logger)
        if let files {
            storage = LocalStorage.Opened(
                files: files,
                users: storage.users,
                sessions: storage.sessions,
                jobs: storage.jobs,
                events: storage.events,
                resumable: storage.resumable,
                otherProcessCommits: storage.otherProcessCommits,
                sweptStagingFiles: 0
            )
        }
        // Minted here rather than asked of `POST /api/token`, so that a test's requests are its own
        // (metrics and the sign-in throttle count only them).
        try await self.ensureAdmin(in: storage.users)
        let token = anonymous ? nil : try await self.token(for: "admin", in: storage.users)
        let app = try await Wharf.makeApplication(configuration: self.configuration, storage: storage, logger: Self.logger)
        return try await app.test(mode) { client in
            guard let token else { return try await body(client) }
            return try await Curl.$defaultArguments.withValue(["-H", "Authorization: Bearer " + token]) {
                try await body(SignedInClient(anonymous: client, token: token))
            }
        }
    }

    /// Adds `admin` (with `adminPassword`) unless it exists; the users of the storage.
    @discardableResult
    public func ensureAdmin() async throws -> UserAccounts {
        let users = try await Wharf.openStorage(configuration: self.configuration, logger: Self.logger).users
        try await self.ensureAdmin(in: users)
        return users
    }

    private func ensureAdmin(in users: UserAccounts) async throws {
        if try await !users.list().contains(where: { $0.name == "admin" }) {
            try await Wharf.accounts(users, self.configuration).add(name: "admin", password: Self.adminPassword, isAdmin: true)
        }
    }

    /// A bearer token for `user`, signed with this application's key (the configuration's).
    public func token(for user: String) async throws -> String {
        try await self.token(for: user, in: try await self.ensureAdmin())
    }

    private func token(for user: String, in users: UserAccounts) async throws -> String {
        let record = try await users.user(named: user)
        let tokens = await BearerTokens(secret: Array(self.configuration.jwtSecret!.utf8), lifetime: self.configuration.tokenLifetime.duration)
        return try await tokens.issue(user: user, generation: record.tokenGeneration)
    }

    /// A bearer token for `user`, from `POST /api/token`.
    public static func token(_ client: any TestClientProtocol, user: String, password: String) async throws -> String {
        let response = try await client.request(
            .post,
            "/api/token",
            body: "grant_type=password&username=\(user)&password=\(password)",
            headers: [.contentType: "application/x-www-form-urlencoded"]
        )
        return try response.decoded(TokenBody.self).access_token
    }

    /// Whether the server holds no file at all: no record listed, no blob, no staged file.
    /// A cut-off upload is cleaned up as the server notices the disconnect, so staged files get
    /// up to five seconds to go.
    public func holdsNothing(port: Int) async throws -> Bool {
        for _ in 0..<50 where !self.stagedFiles.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
        }
        let listing = try await Curl.request(port: port, "/api/files", [])
        return try listing.decoded(FilePageBody.self).items.isEmpty && self.stagedFiles.isEmpty && self.blobFiles.isEmpty
    }

    /// The storage root's staged (temporary) files: empty whenever no upload is running.
    public var stagedFiles: [String] { self.directory.files(under: "storage/tmp") }
    /// The storage root's blobs.
    public var blobFiles: [String] { self.directory.files(under: "storage/blobs") }
}
