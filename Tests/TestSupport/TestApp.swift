public import App
import Foundation
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
        configure(&configuration)
        self.configuration = configuration
        try FileManager.default.createDirectory(atPath: configuration.staticDirectory, withIntermediateDirectories: true)
        try Data("<!doctype html><title>Wharf test</title>".utf8).write(to: URL(fileURLWithPath: configuration.staticDirectory + "/index.html"))
    }

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
        return FilesService(
            blobs: FailingBlobStore(base: try LocalBlobStore(root: root, durable: false), failAfter: failAfter, error: error),
            catalog: try SQLiteCatalog(path: root + "/wharf.sqlite", durable: false)
        )
    }

    /// Runs the application on a real socket for the duration of `body`: for what only the wire
    /// shows (streaming, `100-continue`, disconnects, closes).
    public func live<Value>(
        files: FilesService? = nil,
        _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        try await self.test(.live, files: files, body)
    }

    /// Runs the application in Hummingbird's router test mode (no socket) for the duration of
    /// `body`: for HTTP behaviour that needs no wire.
    public func router<Value>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await self.test(.router, files: nil, body)
    }

    private func test<Value>(
        _ mode: TestingSetup,
        files: FilesService?,
        _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let files = if let files { files } else { try await self.files() }
        let app = try Wharf.makeApplication(configuration: self.configuration, files: files, logger: Self.logger)
        return try await app.test(mode, body)
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
