import Auth
import Foundation
import HTTPTypes
import HummingbirdTesting
import Routing
import Storage
import TestSupport
import Testing

@testable import App

/// The `wharf` binary as a user runs it: flags, environment and signals.
@Suite(.serialized) struct CommandLineTests {
    static var binary: String {
        Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("wharf").path
    }

    /// Every flag of the README's table, and its variable, is in `--help`.
    @Test func helpDocumentsEveryFlagAndItsEnvironmentVariable() async throws {
        let help = try await Command.run(Self.binary, ["serve", "--help"])
        #expect(help.status == 0)
        let flags = [
            ("--host", "WHARF_HOST"), ("--port", "WHARF_PORT"), ("--static", "WHARF_STATIC"), ("--mount", "WHARF_MOUNTS"), ("--spa", "WHARF_SPA"),
            ("--show-dotfiles", "WHARF_SHOW_DOTFILES"), ("--browse", "WHARF_BROWSE"), ("--static-cache-control", "WHARF_STATIC_CACHE_CONTROL"),
            ("--max-ranges", "WHARF_MAX_RANGES"), ("--storage", "WHARF_STORAGE"), ("--max-upload-size", "WHARF_MAX_UPLOAD_SIZE"),
            ("--max-file-size", "WHARF_MAX_FILE_SIZE"), ("--max-files", "WHARF_MAX_FILES"), ("--max-fields", "WHARF_MAX_FIELDS"),
            ("--max-field-size", "WHARF_MAX_FIELD_SIZE"), ("--max-part-header-size", "WHARF_MAX_PART_HEADER_SIZE"),
            ("--allow-types", "WHARF_ALLOW_TYPES"), ("--fsync", "WHARF_FSYNC"), ("--no-fsync", "WHARF_FSYNC"), ("--log-level", "WHARF_LOG_LEVEL"),
            ("--shutdown-grace", "WHARF_SHUTDOWN_GRACE"), ("--bcrypt-cost", "WHARF_BCRYPT_COST"), ("--jwt-secret", "WHARF_JWT_SECRET"),
            ("--token-lifetime", "WHARF_TOKEN_LIFETIME"), ("--session-idle-timeout", "WHARF_SESSION_IDLE_TIMEOUT"),
            ("--session-lifetime", "WHARF_SESSION_LIFETIME"), ("--secure-cookies", "WHARF_SECURE_COOKIES"),
            ("--login-max-failures", "WHARF_LOGIN_MAX_FAILURES"), ("--login-failure-window", "WHARF_LOGIN_FAILURE_WINDOW"),
            ("--default-quota", "WHARF_DEFAULT_QUOTA"), ("--workers", "WHARF_WORKERS"), ("--thumbnail-sizes", "WHARF_THUMBNAIL_SIZES"),
            ("--max-image-pixels", "WHARF_MAX_IMAGE_PIXELS"), ("--job-max-attempts", "WHARF_JOB_MAX_ATTEMPTS"),
            ("--job-retry-delay", "WHARF_JOB_RETRY_DELAY"), ("--scrub-interval", "WHARF_SCRUB_INTERVAL"),
            ("--serve-corrupt", "WHARF_SERVE_CORRUPT"), ("--tus-expiry", "WHARF_TUS_EXPIRY"), ("--site-csp", "WHARF_SITE_CSP"),
            ("--immutable", "WHARF_IMMUTABLE"), ("--tls-cert", "WHARF_TLS_CERT"), ("--tls-key", "WHARF_TLS_KEY"),
            ("--request-head-timeout", "WHARF_REQUEST_HEAD_TIMEOUT"), ("--request-body-timeout", "WHARF_REQUEST_BODY_TIMEOUT"),
            ("--keepalive-timeout", "WHARF_KEEPALIVE_TIMEOUT"), ("--send-timeout", "WHARF_SEND_TIMEOUT"),
            ("--thumbnail-timeout", "WHARF_THUMBNAIL_TIMEOUT"), ("--job-retention", "WHARF_JOB_RETENTION"),
        ]
        #expect(flags.count == 48)
        let table = try READMEExamplesTests.readme
        for (flag, _) in flags { #expect(table.contains("`\(flag)"), "\(flag) is in the README") }
        #expect(help.text.contains("WHARF_ADMIN_PASSWORD"))
        let words = Set(help.text.split(whereSeparator: { " \n/,".contains($0) }).map(String.init))
        for (flag, variable) in flags {
            #expect(words.contains(flag), "\(flag) is documented")
            #expect(help.text.contains(variable), "\(variable) is documented")
        }
    }

    /// A flag wins over its variable; the variable wins over the default.
    @Test func aFlagWinsOverItsVariable() async throws {
        let directory = try TemporaryDirectory()
        let (server, port) = try await Self.startServer(
            directory,
            ["--max-upload-size", "2KiB", "--log-level", "warning"],
            environment: ["WHARF_MAX_UPLOAD_SIZE": "1GiB", "WHARF_MAX_RANGES": "1"]
        )
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        let big = try await Curl.request(port: port, "/api/files?name=big", ["-X", "POST", "--data-binary", String(repeating: "x", count: 4096)])
        #expect(big.status == 413)
        let small = try await Curl.request(port: port, "/api/files?name=small", ["-X", "POST", "--data-binary", "0123456789"])
        let id = try small.decoded(FileRecordBody.self).id
        // WHARF_MAX_RANGES=1: two ranges get the whole file.
        let ranges = try await Curl.request(port: port, "/api/files/\(id)/download", ["-H", "Range: bytes=0-1,4-5"])
        #expect(ranges.status == 200 && ranges.body == Data("0123456789".utf8))
        server.signal(SIGTERM)
        #expect(try await Command.wait(server).status == 0)
    }

    @Test func malformedFlagsAndVariablesAreRefusedClearly() async throws {
        let size = try await Command.run(Self.binary, ["serve", "--max-upload-size", "lots"])
        #expect(size.status != 0 && size.stderr.contains("not a size"))
        let variable = try await Command.run(Self.binary, ["serve"], environment: ["WHARF_PORT": "eighty"])
        #expect(variable.status != 0 && variable.stderr.contains("WHARF_PORT"))
        let interval = try await Command.run(Self.binary, ["serve", "--scrub-interval", "weekly"])
        #expect(interval.status != 0 && interval.stderr.contains("not a scrub interval"))
        let intervalVariable = try await Command.run(Self.binary, ["serve"], environment: ["WHARF_SCRUB_INTERVAL": "sometimes"])
        #expect(intervalVariable.status != 0 && intervalVariable.stderr.contains("WHARF_SCRUB_INTERVAL"))
        let retention = try await Command.run(Self.binary, ["serve", "--job-retention", "a while"])
        #expect(retention.status != 0 && retention.stderr.contains("'a while' is not a job retention"))
        // A trailing slash would never match the Origin a browser sends.
        let origin = try await Command.run(Self.binary, ["serve", "--cors-origin", "https://app.example/"])
        #expect(origin.status != 0 && origin.stderr.contains("'https://app.example/' is not an origin"))
        let originVariable = try await Command.run(Self.binary, ["serve"], environment: ["WHARF_CORS_ORIGINS": "https://a.example, a.example"])
        #expect(originVariable.status != 0 && originVariable.stderr.contains("'a.example' is not an origin"))
        // A value out of range is shown with the usage of `serve`, where the mistake is.
        let port = try await Command.run(Self.binary, ["serve", "--port", "99999"])
        #expect(port.status != 0 && port.stderr.contains("The port must be between 0 and 65535."))
        #expect(port.stderr.contains("Usage: wharf serve"), "\(port.stderr)")
    }

    /// `wharf user`: add (password from standard input), list, quota, passwd and delete, with clear
    /// refusals; the stored hash verifies the password and never shows it.
    @Test func usersAreManagedFromTheCommandLine() async throws {
        let directory = try TemporaryDirectory()
        let storage = ["--storage", directory.path + "/storage", "--bcrypt-cost", "4"]
        func user(_ arguments: [String], input: String? = nil) async throws -> Command.Output {
            let withCost = ["add", "passwd"].contains(arguments[0]) ? storage : Array(storage.prefix(2))
            return try await Command.run(Self.binary, ["user"] + arguments + withCost, input: input)
        }
        #expect(try await user(["add", "alice", "--password-stdin"], input: "correct horse\n").text == "Added user 'alice'.\n")
        #expect(try await user(["add", "root", "--admin", "--password-stdin", "--quota", "10GiB"], input: "battery staple\n").status == 0)
        #expect(try await user(["quota", "alice", "512MiB"]).status == 0)
        let quotas = try await user(["list"]).text.split(separator: "\n").map { $0.split(separator: "\t").last.map(String.init) }
        #expect(quotas == ["512MiB", "10GiB"])
        #expect(try await user(["quota", "alice", "default"]).status == 0)
        let wrongSize = try await user(["quota", "alice", "lots"])
        #expect(wrongSize.status != 0 && wrongSize.stderr.contains("'lots' is not a size") && wrongSize.stderr.contains("Usage: wharf user quota"))
        let reset = try await user(["list"]).text
        #expect(reset.hasPrefix("alice\tuser\t") && reset.contains("\t0\tdefault\n") && !reset.contains("512MiB"))
        let listing = try await user(["list"]).text.split(separator: "\n").map { $0.split(separator: "\t").prefix(2).joined(separator: " ") }
        #expect(listing == ["alice user", "root admin"])
        #expect(!(try await user(["list"]).text.contains("$2b$")), "no hash is shown")

        // A role is one of two, and the last admin stays one.
        let lastAdmin = try await user(["role", "root", "user"])
        #expect(lastAdmin.status != 0 && lastAdmin.stderr.contains("'root' is the only admin: make another user an admin first."))
        #expect(try await user(["role", "alice", "admin"]).text == "'alice' is an admin.\n")
        #expect(try await user(["role", "root", "user"]).text == "'root' is a user.\n")
        let roles = try await user(["list"]).text.split(separator: "\n").map { $0.split(separator: "\t").prefix(2).joined(separator: " ") }
        #expect(roles == ["alice admin", "root user"])
        let wrongRole = try await user(["role", "alice", "root"])
        #expect(wrongRole.status != 0 && wrongRole.stderr.contains("'admin'") && wrongRole.stderr.contains("Usage: wharf user role"))
        #expect(try await user(["role", "root", "admin"]).status == 0)
        #expect(try await user(["role", "alice", "user"]).status == 0)

        let refusals: [([String], String?, String)] = [
            (["add", "alice", "--password-stdin"], "another one\n", "A user named 'alice' already exists."),
            (["add", "bob", "--password-stdin"], "short\n", "The password is shorter than 8 characters."),
            (["add", "b o b", "--password-stdin"], "long enough\n", "'b o b' is not a user name"),
            (["add", "bob"], nil, "Standard input is not a terminal: pass the password with --password-stdin."),
            (["passwd", "nobody", "--password-stdin"], "long enough\n", "No user is named 'nobody'."),
            (["delete", "nobody"], nil, "No user is named 'nobody'."),
        ]
        for (arguments, input, message) in refusals {
            let refused = try await user(arguments, input: input)
            #expect(refused.status != 0 && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }

        #expect(try await user(["passwd", "alice", "--password-stdin"], input: "a new password\n").status == 0)
        var configuration = AppConfiguration()
        configuration.storageDirectory = directory.path + "/storage"
        let stored = try await Wharf.openAccounts(configuration: configuration, logger: TestApp.logger).users.user(named: "alice")
        #expect(PasswordHasher(cost: 4).verify("a new password", hash: stored.passwordHash))
        #expect(try await user(["delete", "root"]).text == "Deleted 'root'.\n")
        #expect(try await user(["list"]).text.hasPrefix("alice\tuser\t"))
    }

    /// A first start creates `admin` and shows its random password once; later starts show
    /// nothing; WHARF_ADMIN_PASSWORD sets it instead, and is never shown.
    @Test func aFirstStartCreatesAdminAndShowsItsPasswordOnce() async throws {
        for given in [nil, "chosen by the operator"] {
            let directory = try TemporaryDirectory()
            var environment = ["WHARF_BCRYPT_COST": "4", "WHARF_ADMIN_PASSWORD": ""]
            if let given { environment["WHARF_ADMIN_PASSWORD"] = given }
            var outputs: [String] = []
            for _ in 0..<2 {
                // A start that found its port taken already made `admin`: what it showed counts.
                var exited = ""
                let (server, _) = try await Self.startServer(
                    directory,
                    ["--log-level", "info"],
                    environment: environment,
                    exitedAttempt: { exited += $0.text }
                )
                server.signal(SIGTERM)
                outputs.append(exited + (try await Command.wait(server).text))
            }
            var configuration = AppConfiguration()
            configuration.storageDirectory = directory.path + "/storage"
            let admin = try await Wharf.openAccounts(configuration: configuration, logger: TestApp.logger).users.user(named: "admin")
            #expect(admin.role == .admin)
            #expect(!outputs[1].contains("password"), "a later start shows no password")
            if let given {
                #expect(!outputs[0].contains(given) && !outputs[0].contains("password"))
                #expect(PasswordHasher(cost: 4).verify(given, hash: admin.passwordHash))
            } else {
                let lines = outputs[0].split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                let index = try #require(lines.firstIndex { $0.contains("created the user 'admin' with this password") })
                let shown = try #require(lines.dropFirst(index + 1).first { !$0.isEmpty })
                #expect(shown.count == 24)
                #expect(PasswordHasher(cost: 4).verify(shown, hash: admin.passwordHash))
                #expect(outputs[0].components(separatedBy: shown).count == 2, "shown exactly once")
                #expect(lines.firstIndex { $0.contains("Serving") }.map { $0 > index } == true, "before the log lines that follow")
            }
        }
    }

    /// The server takes the Swift runtime's global executor hook at start (through which its
    /// tasks run on its event loops); it says so on standard error when it cannot.
    @Test func theServerTakesTheRuntimesExecutorHookAtStart() async throws {
        let directory = try TemporaryDirectory()
        let (server, _) = try await Self.startServer(directory, ["--log-level", "warning"])
        server.signal(SIGTERM)
        let exit = try await Command.wait(server)
        #expect(exit.status == 0)
        #expect(!exit.stderr.contains("not on the event loops"), "\(exit.stderr)")
    }

    /// Start-up errors name the problem and the fix, and nothing claims to be serving first.
    @Test func aPortInUseIsNamedWithItsFixAndNotPrecededByServing() async throws {
        let directory = try TemporaryDirectory()
        let (first, port) = try await Self.startServer(directory, ["--log-level", "info"])
        let second = try await Command.run(
            Self.binary,
            ["serve", "--port", String(port), "--static", directory.path, "--storage", directory.path + "/other"]
        )
        #expect(second.status != 0)
        #expect(second.stderr.contains("Port \(port) on 127.0.0.1 is already in use by another program: stop it, or pass --port N (WHARF_PORT)."))
        #expect(!second.text.contains("Serving"))
        first.signal(SIGTERM)
        let exit = try await Command.wait(first)
        #expect(exit.text.contains("Serving"))
    }

    @Test func aStorageRootThatCannotBeCreatedIsNamedWithItsFix() async throws {
        let directory = try TemporaryDirectory()
        try Data("a file, not a directory".utf8).write(to: URL(fileURLWithPath: directory.path + "/occupied"))
        let serve = try await Command.run(Self.binary, ["serve", "--port", "0", "--storage", directory.path + "/occupied/storage"])
        #expect(serve.status != 0)
        #expect(serve.stderr.contains("The storage root '\(directory.path)/occupied/storage' cannot be used"))
        #expect(serve.stderr.contains("pass --storage DIR (WHARF_STORAGE)"))
        #expect(!serve.stderr.contains("notFound"))

        let list = try await Command.run(Self.binary, ["files", "list", "--storage", directory.path + "/empty"])
        #expect(list.status != 0)
        #expect(list.stderr.contains("No Wharf storage at '\(directory.path)/empty'"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/empty"), "listing creates no storage")
        for subcommand in ["files", "jobs"] {
            let none = try await Command.run(Self.binary, [subcommand, "list", "--limit", "0", "--storage", directory.path + "/empty"])
            #expect(none.status != 0 && none.stderr.contains("--limit must be 1 or more, not 0."), "\(none.stderr)")
            #expect(none.stderr.contains("Usage: wharf \(subcommand) list"), "\(none.stderr)")
        }
    }

    /// A static directory that is not there (the site's, or a mount's) is refused before anything
    /// is created: no storage root, no first admin, no password printed for a server that never ran.
    @Test(arguments: [false, true])
    func aMissingStaticDirectoryIsRefusedBeforeAnythingIsCreated(asMount: Bool) async throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path + "/missing"
        var environment = Self.environment(directory)
        environment["WHARF_ADMIN_PASSWORD"] = nil
        let sites = asMount ? ["--static", directory.path, "--mount", "/assets=" + missing] : ["--static", missing]
        let serve = try await Command.run(Self.binary, ["serve", "--port", "0"] + sites, environment: environment)
        #expect(serve.status != 0)
        #expect(serve.stderr.contains("The static directory '\(missing)' does not exist or is not a directory."), "\(serve.stderr)")
        #expect(!serve.text.contains("password"), "\(serve.text)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/storage"), "nothing is created before the refusal")
    }

    /// Durable when acknowledged (`--fsync`, the default): the staged bytes are synced, renamed
    /// into `blobs/`, their directory is synced and the SQLite commit syncs its WAL
    /// (`synchronous=FULL`), in that order, all before the 201 is written, as strace sees it.
    @Test func anAcknowledgedUploadReachesTheDeviceBeforeThe201() async throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/upload"
        try await Fixtures.randomFile(at: source, size: 300_000)
        let trace = directory.path + "/trace"
        let (strace, port) = try await Self.startServer(
            directory,
            ["--log-level", "warning"],
            launcher: ["strace", "-f", "-y", "-s", "24", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2,write,writev,sendmsg", "-o", trace]
        )
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        let upload = try await Curl.request(port: port, "/api/files?name=durable", ["-T", source])
        #expect(upload.status == 201)
        let sha256 = try upload.decoded(FileRecordBody.self).sha256
        // The traced server is strace's child: stop it, and strace ends with it.
        try await Command.run("pkill", ["-TERM", "-P", String(strace.processIdentifier)])
        _ = try await Command.wait(strace, timeout: .seconds(30))

        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        func first(after start: Int, _ what: String, _ matches: (String) -> Bool) -> Int {
            guard let index = lines[min(start, lines.count)...].firstIndex(where: matches) else {
                Issue.record("no \(what) in the trace")
                return lines.count
            }
            return index
        }
        let stagedSync = first(after: 0, "sync of the staged file") { $0.contains("fsync(") && $0.contains(".part>") }
        let rename = first(after: stagedSync, "rename into blobs/") { $0.contains("rename") && $0.contains(sha256) }
        let directorySync = first(after: rename, "sync of the blob's directory") {
            $0.contains("fsync(") && $0.contains("/blobs/\(sha256.prefix(2))/\(sha256.dropFirst(2).prefix(2))>")
        }
        let commitSync = first(after: directorySync, "sync of the WAL at commit") { $0.contains("wharf.sqlite-wal>") && $0.contains("sync(") }
        let answer = first(after: 0, "the 201") { $0.contains("HTTP/1.1 201") }
        #expect(stagedSync < rename && rename < directorySync && directorySync < commitSync && commitSync < answer)
    }

    /// A large static file goes out by sendfile(2) at most 2 MiB per call, as nginx's
    /// `sendfile_max_chunk`: one call for the whole file held the event loop, and every other
    /// connection on it, for as long as a fast client took to read it.
    @Test func aLargeStaticFileIsSentAtMost2MiBPerSendfile() async throws {
        let directory = try TemporaryDirectory()
        try await Fixtures.randomFile(at: directory.path + "/video.bin", size: 9 << 20)
        let trace = directory.path + "/trace"
        let (strace, port) = try await Self.startServer(
            directory,
            ["--log-level", "warning"],
            launcher: ["strace", "-f", "-e", "trace=sendfile", "-o", trace]
        )
        // The first answer hashes the file the normal way; the second goes by the fast path.
        for _ in 0..<2 {
            let copy = directory.path + "/copy"
            let download = try await Curl.request(port: port, "/video.bin", [], saveTo: copy)
            #expect(download.status == 200)
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == (try Data(contentsOf: URL(fileURLWithPath: directory.path + "/video.bin"))))
        }
        try await Command.run("pkill", ["-TERM", "-P", String(strace.processIdentifier)])
        _ = try await Command.wait(strace, timeout: .seconds(30))

        let counts = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").compactMap { line -> Int? in
            guard line.contains("sendfile("), let count = line.split(separator: ")").first?.split(separator: " ").last else { return nil }
            return Int(count)
        }
        #expect(counts.count >= 5, "the file went by sendfile in regions: \(counts)")
        #expect(counts.allSatisfy { $0 <= 2 << 20 }, "\(counts)")
    }

    /// Streaming, flat memory: a 256 MiB upload (raw and as a form) and its download raise the
    /// server's peak resident memory by a small fraction of their size.
    @Test func uploadsAndDownloadsKeepTheServersMemoryFlat() async throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/big"
        try await Fixtures.randomFile(at: source, size: 256 << 20)
        let (server, port) = try await Self.startServer(directory, ["--log-level", "warning", "--no-fsync"])
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        // A small upload and download first, so that what every request sets up once is in the baseline.
        let warmUp = try await Curl.request(port: port, "/api/files?name=warm-up", ["-T", "/etc/hostname"])
        _ = try await Curl.request(port: port, try warmUp.decoded(FileRecordBody.self).downloadURL, [])
        let baseline = try Self.peakResidentKiB(of: server)

        let raw = try await Curl.request(port: port, "/api/files?name=raw", ["-H", "Transfer-Encoding: chunked", "-T", source])
        let form = try await Curl.request(port: port, "/api/files", ["-F", "file=@\(source);filename=form.bin"])
        #expect(raw.status == 201 && form.status == 201)
        let copy = directory.path + "/copy"
        let download = try await Curl.request(port: port, try raw.decoded(FileRecordBody.self).downloadURL, [], saveTo: copy)
        #expect(download.status == 200)
        let growth = try Self.peakResidentKiB(of: server) - baseline
        #expect(growth < 48 << 10, "peak RSS grew by \(growth) KiB for 3 × 256 MiB streamed")
        server.signal(SIGTERM)
        #expect(try await Command.wait(server, timeout: .seconds(30)).status == 0)
    }

    /// Memory freed when a request ends is kept for the next: the pieces of a tus upload, each on
    /// a connection of its own as tuspy sends them, reuse the buffers of the pieces before instead
    /// of having every page faulted in afresh (8,600 to 15,200 page faults for these 56 MiB
    /// without; 560 to 2,800 with, alone; 3,124 for 24 MiB in a CI run beside the whole suite,
    /// where three pieces measured no longer told the two apart).
    @Test func requestsReuseTheMemoryOfTheRequestsBefore() async throws {
        let directory = try TemporaryDirectory()
        let piece = directory.path + "/piece"
        try await Fixtures.randomFile(at: piece, size: 8 << 20)
        let (server, port) = try await Self.startServer(directory, ["--log-level", "warning", "--no-fsync"])
        defer { server.signal(SIGKILL) }
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        let upload = try await TusWireTests.create(port: port, length: 12 * (8 << 20))
        var faults = 0
        // The first four pieces set up what later ones reuse (on each event loop); seven are
        // measured; the last would make the file.
        for index in 0..<11 {
            let before = try Self.minorFaults(of: server)
            let patch = ["-X", "PATCH", "-H", "Content-Type: application/offset+octet-stream", "-H", "Upload-Offset: \(index * (8 << 20))"]
            let reply = try await Curl.request(port: port, upload, TusWireTests.tus + patch + ["--data-binary", "@" + piece])
            #expect(reply.status == 204)
            if index >= 4 { faults += try Self.minorFaults(of: server) - before }
        }
        // Half of what faulting in every page of the pieces' reads costs.
        #expect(faults < 7 * 1024, "\(faults) page faults for 56 MiB in 7 pieces")
    }

    /// The minor page faults of a process so far (`minflt` of /proc/PID/stat).
    static func minorFaults(of process: RunningProcess) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)
        // The fields after the command name, which is in parentheses and may hold spaces.
        let fields = try #require(stat.split(separator: ")").last).split(separator: " ")
        return try #require(Int(fields[7]))
    }

    /// The high-water mark of a process's resident memory (`VmHWM`), in KiB.
    static func peakResidentKiB(of process: RunningProcess) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    /// A download sent by sendfile from the event loop when SIGTERM comes still finishes whole
    /// (the connection winds down after it), and the process exits 0.
    @Test func aFastPathDownloadFinishesAcrossAGracefulShutdown() async throws {
        let directory = try TemporaryDirectory()
        try await Fixtures.randomFile(at: directory.path + "/video.bin", size: 64 << 20)
        let (server, port) = try await Self.startServer(directory, ["--log-level", "warning"])
        _ = try await Curl.request(port: port, "/video.bin", ["-I"])
        let saved = directory.path + "/downloaded.bin"
        async let download = Curl.request(port: port, "/video.bin", ["--limit-rate", "16M"], saveTo: saved)
        try await Task.sleep(for: .seconds(1))
        server.signal(SIGTERM)
        let reply = try await download
        #expect(reply.status == 200 && reply.exitStatus == 0, "curl exit \(reply.exitStatus)")
        #expect(FileManager.default.contentsEqual(atPath: saved, andPath: directory.path + "/video.bin"))
        #expect(try await Command.wait(server).status == 0)
    }

    /// A server allowed one CPU (taskset, a cpuset) runs one event loop, not one per CPU of the
    /// machine time-sliced on that one; NIO_SINGLETON_GROUP_LOOP_COUNT still decides when set.
    @Test(arguments: [(nil, 1), ("3", 3)])
    func oneEventLoopPerAllowedCPU(variable: String?, loops: Int) async throws {
        let directory = try TemporaryDirectory()
        let environment = variable.map { ["NIO_SINGLETON_GROUP_LOOP_COUNT": $0] } ?? [:]
        let (server, _) = try await Self.startServer(directory, [], environment: environment, launcher: ["taskset", "-c", "0"])
        defer { server.signal(SIGKILL) }
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.processIdentifier)/task")
        let names = try tasks.map { try String(contentsOfFile: "/proc/\(server.processIdentifier)/task/\($0)/comm", encoding: .utf8) }
        #expect(names.filter { $0.hasPrefix("NIO-SGLTN-1-") }.count == loops, "\(names)")
    }

    /// SIGTERM and SIGINT stop accepting new connections at once; an upload that is in flight (its
    /// staging file exists) still completes and is listed afterwards; the process exits 0.
    @Test(arguments: [SIGTERM, SIGINT])
    func serveStopsGracefullyLettingAnUploadFinish(signal: Int32) async throws {
        let (directory, source, server, port) = try await Self.startServer(uploading: 4 << 20, ["--log-level", "warning"])
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        async let upload = Curl.request(port: port, "/api/files?name=slow", ["-X", "POST", "--limit-rate", "2M", "-T", source])
        try await waitUntil("the upload is staged") { !directory.files(under: "storage/tmp").isEmpty }
        server.signal(signal)
        try await waitUntil("new connections are refused") { (try? await Curl.request(port: port, "/healthz", []))?.status == 0 }
        let reply = try await upload
        #expect(reply.status == 201)
        let exit = try await Command.wait(server)
        #expect(exit.status == 0)
        let listing = try await Command.run(Self.binary, ["files", "list", "--storage", directory.path + "/storage"])
        // id, owner, size, sha256, name
        let row = try #require(listing.text.split(separator: "\n").first { $0.hasSuffix("\tslow") }).split(separator: "\t")
        #expect(row.count == 5 && row[1] == "admin" && row[2] == "\(4 << 20)")
        let others = try await Command.run(Self.binary, ["files", "list", "--owner", "nobody", "--storage", directory.path + "/storage"])
        #expect(others.status == 0 && others.text.isEmpty, "\(others.text)")
    }

    /// A content replacement whose `If-Match` held when it began, but whose file another request
    /// gave new content while its body was still coming, is refused at the commit (412) and keeps
    /// nothing: the other request's content stays, and no staged or stored bytes of its own.
    @Test func aReplacementOvertakenWhileItsBodyCameIsRefusedAtTheCommit() async throws {
        let (directory, source, server, port) = try await Self.startServer(uploading: 4 << 20, ["--log-level", "warning"])
        defer { server.signal(SIGKILL) }
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        let created = try await Curl.request(port: port, "/api/files?name=a.txt", ["--data-binary", "first"])
        let record = try created.decoded(FileRecordBody.self)
        let content = "/api/files/\(record.id)/content"
        async let slow = Curl.request(port: port, content, ["--limit-rate", "2M", "-T", source, "-H", "If-Match: \"\(record.sha256)\""])
        try await waitUntil("the slow replacement is staged") { !directory.files(under: "storage/tmp").isEmpty }
        let other = directory.path + "/other.txt"
        try Data("meanwhile".utf8).write(to: URL(fileURLWithPath: other))
        let meanwhile = try await Curl.request(port: port, content, ["-T", other]).decoded(FileRecordBody.self)
        let refused = try await slow
        #expect(refused.status == 412)
        #expect(try refused.decoded(ErrorBody.self).detail.description.contains("replaced by another request"))
        #expect(try await Curl.request(port: port, "/api/files/\(record.id)", []).decoded(FileRecordBody.self).sha256 == meanwhile.sha256)
        #expect(directory.files(under: "storage/tmp").isEmpty)
        #expect(directory.files(under: "storage/blobs").count == 1)
    }

    /// A storage root serves one server: a second `wharf serve` on it is refused, naming the pid of
    /// the one that holds it, and so is `wharf scrub`, which removes blobs; the subcommands that
    /// open it beside that server leave its upload in flight alone (they once removed its staging
    /// file as a crash's leftover).
    @Test func aServedRootIsRefusedToASecondServerAndLeftAloneByTheSubcommands() async throws {
        let (directory, source, server, port) = try await Self.startServer(uploading: 4 << 20, ["--log-level", "warning"])
        defer { server.signal(SIGKILL) }
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        async let upload = Curl.request(port: port, "/api/files?name=slow", ["-X", "POST", "--limit-rate", "2M", "-T", source])
        try await waitUntil("the upload is staged") { !directory.files(under: "storage/tmp").isEmpty }
        for subcommand in [["user", "list"], ["files", "list"], ["jobs", "list"]] {
            let output = try await Command.run(Self.binary, subcommand, environment: Self.environment(directory))
            #expect(output.status == 0, "\(subcommand): \(output.stderr)")
        }
        let reply = try await upload
        #expect(reply.status == 201, "\(String(decoding: reply.body, as: UTF8.self))")
        #expect(try reply.decoded(FileRecordBody.self).sha256 == (try await Fixtures.sha256(ofFile: source)))
        let holder = "The storage root '\(directory.path)/storage' is in use by wharf serve (pid \(server.processIdentifier))."
        let second = try Command.start(
            Self.binary,
            ["serve", "--port", String(Self.freeLookingPort()), "--static", directory.path],
            environment: Self.environment(directory)
        )
        let refused = try await Command.wait(second, timeout: .seconds(30))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(holder + " Stop it or wait for it to end, or pass another --storage DIR"), "\(refused.stderr)")
        #expect(!refused.text.contains("Serving"))
        let scrub = try await Command.run(Self.binary, ["scrub"], environment: Self.environment(directory))
        #expect(scrub.status != 0)
        #expect(scrub.stderr.contains(holder + " Stop it or wait for it to end: a running server scrubs its root itself"), "\(scrub.stderr)")
    }

    /// A user deleted while their upload is under way gets no file: the upload answers 401, and
    /// nothing is left for whoever is next given the name, even one given it at once.
    @Test func anUploadOfAUserDeletedMeanwhileKeepsNothing() async throws {
        let (directory, source, server, port) = try await Self.startServer(uploading: 4 << 20, ["--log-level", "warning"])
        defer { server.signal(SIGKILL) }
        let environment = Self.environment(directory)
        let bob = try await Self.addUser("bob", environment: environment, port: port)
        async let upload = Curl.request(port: port, "/api/files?name=late", bob + ["-X", "POST", "--limit-rate", "2M", "-T", source])
        try await waitUntil("the upload is staged") { !directory.files(under: "storage/tmp").isEmpty }
        let delete = try await Command.run(Self.binary, ["user", "delete", "bob"], environment: environment)
        #expect(delete.status == 0, "\(delete.stderr)")
        _ = try await Self.addUser("bob", environment: environment, port: port)
        let reply = try await upload
        #expect(reply.status == 401)
        #expect(try reply.decoded(ErrorBody.self).detail.description == "The account 'bob' no longer exists: nothing was stored for it.")
        #expect(directory.files(under: "storage/blobs").isEmpty && directory.files(under: "storage/tmp").isEmpty)
        let listing = try await Command.run(Self.binary, ["files", "list"], environment: environment)
        #expect(listing.status == 0 && listing.text.isEmpty, "\(listing.text)")
    }

    /// A quota lowered while an upload is under way holds at its commit: the upload answers 413,
    /// and nothing of it is kept.
    @Test func aQuotaLoweredDuringAnUploadHoldsAtItsCommit() async throws {
        let (directory, source, server, port) = try await Self.startServer(uploading: 4 << 20, ["--log-level", "warning"])
        defer { server.signal(SIGKILL) }
        let environment = Self.environment(directory)
        let bob = try await Self.addUser("bob", ["--quota", "10MiB"], environment: environment, port: port)
        async let upload = Curl.request(port: port, "/api/files?name=big", bob + ["-X", "POST", "--limit-rate", "2M", "-T", source])
        try await waitUntil("the upload is staged") { !directory.files(under: "storage/tmp").isEmpty }
        let lower = try await Command.run(Self.binary, ["user", "quota", "bob", "1MiB"], environment: environment)
        #expect(lower.status == 0, "\(lower.stderr)")
        let reply = try await upload
        #expect(reply.status == 413)
        #expect(try reply.decoded(ErrorBody.self).detail.description.hasPrefix("The upload would pass your storage quota of 1048576 bytes"))
        #expect(directory.files(under: "storage/blobs").isEmpty && directory.files(under: "storage/tmp").isEmpty)
        let listing = try await Command.run(Self.binary, ["files", "list"], environment: environment)
        #expect(listing.status == 0 && listing.text.isEmpty, "\(listing.text)")
    }

    /// The soft limit of open files a shell or a systemd unit starts the server with is raised to
    /// the hard one, so it serves more clients at once than the soft limit has descriptors.
    @Test func clientsBeyondTheSoftOpenFilesLimitAreServed() async throws {
        let directory = try TemporaryDirectory()
        let (server, port) = try await Self.startServer(directory, ["--log-level", "warning"], launcher: ["prlimit", "--nofile=256:4096"])
        defer { server.signal(SIGKILL) }
        let limits = try String(contentsOfFile: "/proc/\(server.processIdentifier)/limits", encoding: .utf8)
        let openFiles = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }?.split(separator: " ")
        #expect(openFiles?.dropFirst(3).prefix(2) == ["4096", "4096"], "\(limits)")
        let output = try await PythonClients.run("many_connections.py", [String(port), "600", "/healthz"])
        #expect(output.text == "{\"answered\": 600, \"unanswered\": 0}\n", "\(output.stderr)")
    }

    /// An upload that outlasts `--shutdown-grace` is cut off, and the process still ends soon after.
    @Test func aRequestOutlastingTheGraceIsCutOff() async throws {
        let (directory, source, server, port) = try await Self.startServer(
            uploading: 8 << 20,
            ["--log-level", "warning", "--shutdown-grace", "500ms"]
        )
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        async let upload = Curl.request(port: port, "/api/files?name=slow", ["-X", "POST", "--limit-rate", "256K", "-T", source])
        try await waitUntil("the upload is staged") { !directory.files(under: "storage/tmp").isEmpty }
        let signalled = ContinuousClock.now
        server.signal(SIGTERM)
        let exit = try await Command.wait(server, timeout: .seconds(15))
        // The grace (0.5 s) and the cancellation bound (5 s) are well below the 32 s the upload needs.
        #expect(ContinuousClock.now - signalled < .seconds(10))
        #expect(exit.status == 0)
        #expect(try await upload.status != 201)
        let listing = try await Command.run(Self.binary, ["files", "list", "--storage", directory.path + "/storage"])
        #expect(!listing.text.contains("\tslow"))
        // Cut off by the shutdown, not failed by the server: no error is logged for it.
        let errors = exit.text.split(separator: "\n").filter { $0.contains(" error ") || $0.contains(" critical ") }
        #expect(errors.isEmpty, "\(errors)")
    }

    /// A request the parser refuses is the client's mistake: it is answered, and logs no error.
    /// Refused below the routes, it and a request refused for its `Host` field after a good one
    /// still write their access-log lines (method and path `-` where the parser gave none).
    @Test func anUnparsableRequestLogsNoError() async throws {
        let directory = try TemporaryDirectory()
        let (server, port) = try await Self.startServer(directory, ["--log-level", "info"])
        let output = try await PythonClients.run("persistence.py", [String(port), "G(T / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n"], timeout: .seconds(30))
        let hostless = try await PythonClients.run(
            "persistence.py",
            [String(port), "GET /healthz HTTP/1.1\\r\\nHost: a\\r\\n\\r\\nGET /no-host HTTP/1.1\\r\\n\\r\\n", "--expect", "2"],
            timeout: .seconds(30)
        )
        server.signal(SIGTERM)
        let exit = try await Command.wait(server)
        #expect(output.status == 0, "\(output.text)")
        #expect(output.text.contains("400"), "\(output.text)")
        #expect(hostless.status == 0 && hostless.text.contains("400"), "\(hostless.text)")
        let errors = exit.text.split(separator: "\n").filter { $0.contains(" error ") || $0.contains(" critical ") }
        #expect(errors.isEmpty, "\(errors)")
        let access = exit.text.split(separator: "\n").filter { $0.contains("log=access") && $0.contains("status=400") }
        #expect(
            access.contains {
                $0.contains("client=127.0.0.1 ") && $0.contains("method=- ") && $0.contains("path=- ") && $0.contains("outcome=complete")
            },
            "\(access)"
        )
        #expect(access.contains { $0.contains("method=GET ") && $0.contains("path=/no-host ") }, "\(access)")
    }

    @Test func eachRequestWritesOneAccessLogLineAtInfoLevel() async throws {
        let directory = try TemporaryDirectory()
        let page = String(repeating: "a static page\n", count: 20)
        try Data(page.utf8).write(to: URL(fileURLWithPath: directory.path + "/page.txt"))
        let (server, port) = try await Self.startServer(directory, ["--log-level", "info"])
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        let traced = try await Curl.request(port: port, "/api/files/AAAAAAAAAAAAAAAAAAAAAA", ["-H", "X-Request-ID: trace-42"])
        #expect(traced.status == 404)
        // The first read of a static file goes the normal way, the next ones by the fast path,
        // which writes their lines itself.
        for id in ["static-1", "static-2", "static-3"] {
            #expect(try await Curl.request(port: port, "/page.txt", ["-H", "X-Request-ID: \(id)"]).status == 200)
        }
        #expect(try await FastPathTests.fastAnswers(port: port) >= 1)
        server.signal(SIGTERM)
        let exit = try await Command.wait(server)
        #expect(exit.status == 0)
        let lines = exit.text.split(separator: "\n").filter { $0.contains("request_id=trace-42") }
        #expect(lines.count == 1)
        let line = String(lines.first ?? "")
        let detail = "{\"detail\":\"No file has the id 'AAAAAAAAAAAAAAAAAAAAAA'.\"}"
        #expect(traced.body == Data(detail.utf8))
        for field in [
            "info wharf:", "client=127.0.0.1 ", "log=access", "method=GET", "path=/api/files/AAAAAAAAAAAAAAAAAAAAAA", "status=404", "bytes_in=0",
            "bytes_out=\(detail.utf8.count)", "outcome=complete",
        ] {
            #expect(line.contains(field), "\(field) in \(line)")
        }
        let duration = line.split(separator: " ").first { $0.hasPrefix("duration_ms=") }.flatMap { Double($0.dropFirst(12)) }
        #expect(duration.map { $0 >= 0 && $0 < 5_000 } == true, "a duration in milliseconds in \(line)")
        for id in ["static-1", "static-2", "static-3"] {
            let lines = exit.text.split(separator: "\n").filter { $0.contains("request_id=\(id)") }
            #expect(lines.count == 1, "\(id): \(lines)")
            for field in [
                "client=127.0.0.1 ", "log=access", "method=GET", "path=/page.txt", "status=200", "bytes_in=0", "bytes_out=\(page.utf8.count)",
                "outcome=complete",
            ] {
                #expect(lines.first?.contains(field) == true, "\(field) in \(lines)")
            }
        }
    }

    /// A download the client leaves before its end still writes its one access-log line, as nginx
    /// logs it: its status and `outcome=aborted`; a static file's (the routes' way and the fast
    /// path's) as a stored file's.
    @Test func aDownloadCutOffWritesItsAccessLogLine() async throws {
        let directory = try TemporaryDirectory()
        let size = 32 << 20
        try await Fixtures.randomFile(at: directory.path + "/big.bin", size: size)
        let (server, port) = try await Self.startServer(directory, ["--log-level", "info"])
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        let stored = try await Curl.request(port: port, "/api/files?name=big.bin", ["-T", directory.path + "/big.bin"])
        let id = try stored.decoded(FileRecordBody.self).id
        // The fast path answers a static file once the routes have answered it whole.
        #expect(try await Curl.request(port: port, "/big.bin", []).status == 200)
        let cuts = [("cut-static", "/big.bin"), ("cut-again", "/big.bin"), ("cut-stored", "/api/files/\(id)/download")]
        for (requestID, path) in cuts {
            let cut = try await Curl.request(port: port, path, ["-H", "X-Request-ID: \(requestID)", "--limit-rate", "1M", "--max-time", "1"])
            #expect(cut.exitStatus == 28, "\(requestID): curl gave up on it")
        }
        server.signal(SIGTERM)
        let exit = try await Command.wait(server)
        for (requestID, path) in cuts {
            let lines = exit.text.split(separator: "\n").filter { $0.contains("log=access") && $0.contains("request_id=\(requestID) ") }
            #expect(lines.count == 1, "\(requestID): \(lines)")
            let line = String(lines.first ?? "")
            for field in ["path=\(path) ", "status=200 ", "outcome=aborted"] {
                #expect(line.contains(field), "\(field) in \(line)")
            }
            // What was handed to the connection: a file's regions are handed over whole.
            let bytesOut = line.split(separator: " ").first { $0.hasPrefix("bytes_out=") }.flatMap { Int($0.dropFirst(10)) }
            #expect(bytesOut.map { $0 > 0 && $0 <= size } == true, "what was written of it in \(line)")
        }
    }

    /// A WebSocket handshake never reaches the routes' access log: a session writes its line when it
    /// ends (101, the bytes its frames carried each way, its request id, how long it lasted), and a
    /// handshake refused before the upgrade writes its own with its status; each is counted in the
    /// route metrics.
    @Test func webSocketHandshakesWriteAccessLogLinesAndAreCounted() async throws {
        let directory = try TemporaryDirectory()
        let (server, port) = try await Self.startServer(directory, ["--log-level", "info"])
        let token = try await Self.adminToken(port: port)
        // Two masked text frames of 5 bytes each; the client leaves after three quiet seconds.
        let session = try await EventsTests.sendFrames(port: port, token: token, ["masked:hello", "masked:again"])
        #expect(session.status == 101)
        let handshake = [
            "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "--max-time", "10",
        ]
        let oldVersion = try await Curl.request(
            port: port,
            "/api/ws",
            handshake + ["-H", "Authorization: Bearer " + token, "-H", "Sec-WebSocket-Version: 8"]
        )
        #expect(oldVersion.status == 426)
        let badToken = try await Curl.request(
            port: port,
            "/api/ws",
            handshake + ["-H", "Authorization: Bearer not-a-token", "-H", "Sec-WebSocket-Version: 13"]
        )
        #expect(badToken.status == 401)
        // Counted as the routes count theirs.
        let metrics = String(decoding: try await Curl.request(port: port, "/metrics", []).body, as: UTF8.self)
        for status in [101, 426, 401] {
            #expect(metrics.contains("wharf_http_requests_total{route=\"/api/ws\",method=\"GET\",status=\"\(status)\"} 1"), "\(status)")
        }
        server.signal(SIGTERM)
        let exit = try await Command.wait(server)
        let lines = exit.text.split(separator: "\n").filter { $0.contains("log=access") && $0.contains("path=/api/ws") }
        #expect(lines.count == 3, "\(lines)")
        func line(_ status: Int) -> String { String(lines.first { $0.contains("status=\(status) ") } ?? "") }
        for field in ["client=127.0.0.1 ", "method=GET", "bytes_in=10", "outcome=complete"] {
            #expect(line(101).contains(field), "\(field) in \(line(101))")
        }
        // Nothing was sent but, perhaps, the Close frame (a code, 2 bytes) for the client that left.
        #expect(line(101).contains("bytes_out=0 ") || line(101).contains("bytes_out=2 "), "\(line(101))")
        let duration = line(101).split(separator: " ").first { $0.hasPrefix("duration_ms=") }.flatMap { Double($0.dropFirst(12)) }
        #expect(duration.map { $0 >= 2_500 } == true, "the session's three seconds in \(line(101))")
        #expect(!line(101).contains("request_id=- "), "\(line(101))")
        #expect(line(426).contains("outcome=complete") && line(426).contains("bytes_out=\(oldVersion.body.count)"), "\(line(426))")
        #expect(line(401).contains("bytes_out=\(badToken.body.count)") && !line(401).contains("request_id=- "), "\(line(401))")
    }

    /// The binary runs Swift tasks on NIO's event loops: uploads, static files, ranges and gzip,
    /// many at once, all answer there as they do in the in-process tests.
    @Test func theBinaryServesUploadsStaticFilesRangesAndGzipConcurrently() async throws {
        let directory = try TemporaryDirectory()
        let site = directory.path + "/site"
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        try await Fixtures.randomFile(at: site + "/big.bin", size: 3 << 20)
        let script = String(repeating: "export const answer = 42;\n", count: 200)
        try Data(script.utf8).write(to: URL(fileURLWithPath: site + "/app.js"))
        let source = directory.path + "/upload.bin"
        try await Fixtures.randomFile(at: source, size: 2 << 20, seed: 7)
        let (server, port) = try await Self.startServer(directory, ["--static", site, "--log-level", "warning"])
        try await Curl.signIn(port: port, password: TestApp.adminPassword)

        let expected = try Data(contentsOf: URL(fileURLWithPath: site + "/big.bin"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let start = index * 150_000
                    let range = try await Curl.request(port: port, "/big.bin", ["-H", "Range: bytes=\(start)-\(start + 99_999)"])
                    #expect(range.status == 206)
                    #expect(range.body == expected[start..<(start + 100_000)])
                }
                group.addTask {
                    let gzipped = try await Curl.request(port: port, "/app.js", ["--compressed"])
                    #expect(gzipped.headers["content-encoding"] == "gzip")
                    #expect(gzipped.body == Data(script.utf8))
                }
                if index < 4 {
                    // Uploads and their downloads run among the ranges and gzips.
                    group.addTask {
                        let upload = try await Curl.request(port: port, "/api/files?name=parallel-\(index)", ["-T", source])
                        let record = try upload.decoded(FileRecordBody.self)
                        let copy = directory.path + "/parallel-\(index)"
                        let download = try await Curl.request(port: port, record.downloadURL, [], saveTo: copy)
                        #expect(download.status == 200)
                        #expect(try await Fixtures.sha256(ofFile: copy) == record.sha256)
                    }
                }
            }
            try await group.waitForAll()
        }
        let upload = try await Curl.request(port: port, "/api/files", ["-F", "file=@\(source);filename=upload.bin"])
        #expect(upload.status == 201)
        let record = try #require(try upload.decoded(FormUploadBody.self).files.first)
        let id = record.id
        let downloaded = directory.path + "/downloaded.bin"
        let download = try await Curl.request(port: port, "/api/files/\(id)/download", [], saveTo: downloaded)
        #expect(download.status == 200)
        #expect(try await Fixtures.sha256(ofFile: downloaded) == Fixtures.sha256(ofFile: source))
        server.signal(SIGTERM)
        #expect(try await Command.wait(server).status == 0)
    }

    /// An upload acknowledged just before the server is killed (SIGKILL) keeps its thumbnail job:
    /// it is in the database with the record, and the next start makes the thumbnail.
    @Test func anUploadAcknowledgedBeforeAKillGetsItsThumbnailAfterTheRestart() async throws {
        let directory = try TemporaryDirectory()
        let image = directory.path + "/photo.png"
        for arguments in [["gaussnoise", image + ".v", "2000", "1500"], ["copy", image + ".v", image]] {
            #expect(try await Command.run("vips", arguments).status == 0)
        }
        let (first, port) = try await Self.startServer(directory, ["--log-level", "warning"])
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        let upload = try await Curl.request(port: port, "/api/files?name=photo.png", ["-T", image])
        first.signal(SIGKILL)
        #expect(upload.status == 201)
        let id = try upload.decoded(FileRecordBody.self).id
        _ = try await Command.wait(first)
        let jobs = try await Command.run(Self.binary, ["jobs", "list", "--storage", directory.path + "/storage"])
        #expect(jobs.text.split(separator: "\n").filter { $0.contains("\tthumbnail\t") }.count == 1, "\(jobs.text)")

        let (second, secondPort) = try await Self.startServer(directory, ["--log-level", "warning"])
        try await Curl.signIn(port: secondPort, password: TestApp.adminPassword)
        // The events of the outbox outlive the process: the stream replays the upload's from before the kill.
        let events = try Command.start(
            "curl",
            Curl.signedIn(["-sS", "-N", "--max-time", "60", "http://127.0.0.1:\(secondPort)/api/events?last_event_id=0"], port: secondPort)
        )
        try await waitUntil("the thumbnail is made after the restart") {
            try await Curl.request(port: secondPort, "/api/files/\(id)/thumbnail?size=256", []).status == 200
        }
        try await Task.sleep(for: .milliseconds(500))
        let stopping = ContinuousClock.now
        second.signal(SIGTERM)
        #expect(try await Command.wait(second).status == 0)
        #expect(ContinuousClock.now - stopping < .seconds(5), "an open event stream does not hold up the shutdown")
        let received = try EventsTests.parse(try await Command.wait(events).text).events
        #expect(received.map(\.type) == ["file.created", "thumbnail.ready"] && received.allSatisfy { $0.body.file?.id == id })
    }

    /// A 42-megapixel progressive JPEG (4:4:4, under the pixel limit): libjpeg decodes such a file
    /// with its whole coefficient array in memory, 250 MB here (vipsthumbnail peaks at 280 MB on
    /// it). The thumbnail job fails with the reason, and the server's peak memory stays far below.
    @Test func aHugeProgressiveJPEGFailsItsJobWithoutExhaustingMemory() async throws {
        let directory = try TemporaryDirectory()
        let image = directory.path + "/progressive.jpg"
        for arguments in [
            ["gaussnoise", image + ".noise.v", "7000", "6000"], ["cast", image + ".noise.v", image + ".grey.v", "uchar"],
            ["colourspace", image + ".grey.v", image + ".v", "srgb"],
            ["jpegsave", image + ".v", image, "--interlace", "--subsample-mode", "off", "--Q", "90"],
        ] {
            // Encoding it takes the same coefficient array: without the budget Thumbnails sets in
            // this test process's environment, which the vips command would inherit.
            let made = try await Command.run("vips", arguments, environment: ["JPEGMEM": "2000M"])
            #expect(made.status == 0, "vips \(arguments): \(made.stderr)")
        }
        let (server, port) = try await Self.startServer(directory, ["--log-level", "error"])
        try await Curl.signIn(port: port, password: TestApp.adminPassword)
        let upload = try await Curl.request(port: port, "/api/files?name=progressive.jpg", ["-T", image])
        #expect(upload.status == 201)
        let id = try upload.decoded(FileRecordBody.self).id
        let thumbnail = "/api/files/\(id)/thumbnail?size=256"
        try await waitUntil("the thumbnail job fails", timeout: .seconds(60)) {
            try await Curl.request(port: port, thumbnail, []).status == 404
        }
        let refusal = try await Curl.request(port: port, thumbnail, [])
        #expect("\(try refusal.decoded(ErrorBody.self).detail)".contains("progressive JPEG that needs more than 128MB"))
        let status = try String(contentsOfFile: "/proc/\(server.processIdentifier)/status", encoding: .utf8)
        let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
        #expect(try #require(peak) < 200 * 1024, "peak RSS \(peak ?? 0) KiB")
        server.signal(SIGTERM)
        _ = try await Command.wait(server)
    }

    /// tuspy, the tus project's Python client, sends 256 MiB in 5 MiB chunks; the first run stops
    /// after 20 chunks, the server restarts, and a second run resumes from the offset the server
    /// kept and finishes. The stored file's SHA-256 is the source's.
    @Test func tuspyResumesAnUploadAcrossARestart() async throws {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/big.bin"
        try await Fixtures.randomFile(at: source, size: 256 << 20)
        let (first, port) = try await Self.startServer(directory, ["--log-level", "warning"])
        let token = try await Self.adminToken(port: port)
        let store = directory.path + "/tuspy-urls.json"
        let arguments = ["http://127.0.0.1:\(port)/api/uploads/", token, source, String(5 << 20), store]
        let interrupted = try await PythonClients.run("tus_upload.py", arguments + ["20"])
        #expect(interrupted.status == 0, "\(interrupted.stderr)")
        let before = interrupted.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(before.first == "\(100 << 20)")
        first.signal(SIGTERM)
        #expect(try await Command.wait(first).status == 0)

        let (second, _) = try await Self.startServer(directory, ["--log-level", "warning"], port: port)
        let uploadURL = try #require(before.dropFirst(2).first)
        let kept = try await Curl.request(
            port: port,
            String(uploadURL.dropFirst("http://127.0.0.1:\(port)".count)),
            ["-I", "-H", "Tus-Resumable: 1.0.0", "-H", "Authorization: Bearer " + token]
        )
        #expect(kept.headers["upload-offset"] == "\(100 << 20)", "the restarted server kept the 100 MiB")
        let resumed = try await PythonClients.run("tus_upload.py", arguments)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let lines = resumed.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "\(256 << 20)")
        #expect(lines.dropFirst(2).first == uploadURL, "the same upload, resumed")
        let fileURL = try #require(lines.dropFirst().first)
        let record = try await Curl.request(port: port, fileURL, ["-H", "Authorization: Bearer " + token]).decoded(FileRecordBody.self)
        #expect(record.sha256 == (try await Fixtures.sha256(ofFile: source)) && record.name == "big.bin" && record.size == 256 << 20)
        second.signal(SIGTERM)
        _ = try await Command.wait(second)
    }

    /// The web site of `static/` in headless Chromium, driven by Selenium: sign in, two files
    /// through the file input with their progress, a file named like HTML shown as text, a file's
    /// details opened where the reader is taken to them, a deletion, no errors in the console and
    /// the site's own 404 page (every step in `browser_files.py`), with the gzip sidecars
    /// `scripts/precompress` makes (as `scripts/run` does). Screenshots go to
    /// `.build-test/screenshots`.
    @Test func theWebSiteWorksInARealBrowser() async throws {
        let directory = try TemporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: PythonClients.site) where !name.hasSuffix(".gz") {
            try FileManager.default.copyItem(atPath: PythonClients.site + "/" + name, toPath: directory.path + "/" + name)
        }
        let precompress = PythonClients.repository + "/scripts/precompress"
        #expect(try await Command.run(precompress, [directory.path]).status == 0)
        let work = directory.path + "/browser-files"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        // A quota for the header's meter to show; a request limit below the site's largest tus piece.
        let (server, port) = try await Self.startServer(
            directory,
            ["--log-level", "warning", "--default-quota", "1GiB", "--max-upload-size", "20MiB", "--max-file-size", "1GiB"]
        )
        let scriptName = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasPrefix("app.") && $0.hasSuffix(".js") }
        )
        let script = try await Curl.request(port: port, "/" + scriptName, ["-H", "Accept-Encoding: gzip"])
        #expect(script.headers["content-encoding"] == "gzip" && script.headers["content-type"]?.hasPrefix("text/javascript") == true)
        #expect(script.headers["cache-control"] == "public, max-age=31536000, immutable")
        let run = try await PythonClients.run(
            "browser_files.py",
            ["http://127.0.0.1:\(port)", TestApp.adminPassword, PythonClients.screenshots, work]
        )
        #expect(run.status == 0 && run.text == "ok\n", "\(run.stderr.suffix(2000))")
        server.signal(SIGTERM)
        _ = try await Command.wait(server)
    }

    /// A page on another site, in Chromium, calls the API of a server started with `--cors-origin`
    /// naming its origin; the same page from an origin not named cannot read an answer.
    @Test func anotherSitesPageUsesTheAPIWhereItsOriginIsNamed() async throws {
        let directory = try TemporaryDirectory()
        // Below the ports servers draw, and below the kernel's ephemeral range (32768–60999).
        let pagePort = Int.random(in: 10_000..<20_000)
        let (server, port) = try await Self.startServer(directory, ["--log-level", "warning", "--cors-origin", "http://127.0.0.1:\(pagePort)"])
        let run = try await PythonClients.run("browser_cross_origin.py", ["http://127.0.0.1:\(port)", TestApp.adminPassword, String(pagePort)])
        #expect(run.status == 0 && run.text == "ok\n", "\(run.stderr.suffix(2000))")
        server.signal(SIGTERM)
        _ = try await Command.wait(server)
    }

    /// `wharf scrub` reads every stored content again: a clean storage exits 0, a blob with a
    /// flipped byte is named and the exit status is 1.
    @Test func scrubNamesACorruptBlobAndFails() async throws {
        let app = try TestApp()
        let record = try await app.router { client in
            try await client.request(.post, "/api/files?name=a.txt", body: "bytes that will rot").decoded(FileRecordBody.self)
        }
        let storage = ["--storage", app.configuration.storageDirectory]
        let clean = try await Command.run(Self.binary, ["scrub"] + storage)
        #expect(clean.status == 0 && clean.text.contains("Checked 1 stored contents: 0 corrupt, 0 missing; removed 0 unreferenced blobs."))
        let blob = try #require(app.blobFiles.first)
        let path = app.directory.path + "/storage/blobs/" + blob
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[0] ^= 0x20
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try bytes.write(to: URL(fileURLWithPath: path))
        let corrupt = try await Command.run(Self.binary, ["scrub"] + storage)
        #expect(corrupt.status == 1 && corrupt.text.hasPrefix("corrupt\t\(record.sha256)\n"), "\(corrupt.text)")
        // A download of it answers 500 with what is wrong, rather than the rotten bytes.
        let download = try await app.router { client in try await client.request(.get, "/api/files/\(record.id)/download") }
        #expect(download.status == .internalServerError)
        #expect(try download.decoded(ErrorBody.self).detail.description.hasPrefix("The stored bytes of this file are corrupt"))
    }

    /// A bearer token of the admin of the server on `port` (`POST /api/token`).
    static func adminToken(port: Int) async throws -> String {
        try await Curl.request(
            port: port,
            "/api/token",
            ["-d", "grant_type=password", "-d", "username=admin", "--data-urlencode", "password=\(TestApp.adminPassword)"]
        ).decoded(TokenBody.self).access_token
    }

    /// Starts `wharf serve` on a free-looking port with its storage in `directory`; waits until
    /// `/healthz` answers.
    static func startServer(
        _ directory: TemporaryDirectory,
        _ arguments: [String],
        environment: [String: String] = [:],
        port wanted: Int? = nil,
        launcher: [String] = [],
        isHealthy: @escaping (Int) async -> Bool = { port in (try? await Curl.request(port: port, "/healthz", []))?.status == 200 },
        exitedAttempt: (Command.Output) -> Void = { _ in }
    ) async throws -> (RunningProcess, Int) {
        // A port another test took meanwhile makes the server exit at once: then another port
        // (or, when a port is wanted, the same one again a little later).
        for attempt in 0..<5 {
            if wanted != nil && attempt > 0 { try await Task.sleep(for: .milliseconds(500)) }
            let port = wanted ?? Self.freeLookingPort()
            let serve = ["serve", "--port", String(port), "--static", directory.path] + arguments
            // A launcher (taskset, strace) runs the server as its child or becomes it, and
            // exits with it.
            let (program, programArguments) = launcher.isEmpty ? (Self.binary, serve) : (launcher[0], launcher.dropFirst() + [Self.binary] + serve)
            let server = try Command.start(program, programArguments, environment: Self.environment(directory).merging(environment) { $1 })
            // Patient: a server pinned to one CPU shares it with the rest of a parallel test run.
            var healthy = false
            try await waitUntil("the server answers /healthz or exits", timeout: .seconds(90)) {
                guard server.isRunning else { return true }
                healthy = await isHealthy(port)
                return healthy
            }
            if healthy { return (server, port) }
            if server.isRunning {
                // Under strace the server is the launcher's child, which would outlive it.
                try await Command.run("pkill", ["-KILL", "-P", String(server.processIdentifier)])
                server.signal(SIGKILL)
                let killed = try await Command.wait(server)
                Issue.record("the server on port \(port) never answered /healthz; it said: \(killed.stderr.suffix(2000))")
                throw ProgramFailedToStart()
            }
            let exit = try await Command.wait(server)
            try #require(exit.stderr.contains("already in use"), "the server exited: \(exit.stderr)")
            exitedAttempt(exit)
        }
        throw ProgramFailedToStart()
    }

    struct ProgramFailedToStart: Error {}

    /// A server started as `startServer` starts it, in a new directory that also holds `source`,
    /// a file of `size` random bytes for a test to upload while something else happens.
    static func startServer(
        uploading size: Int,
        _ arguments: [String]
    ) async throws -> (directory: TemporaryDirectory, source: String, server: RunningProcess, port: Int) {
        let directory = try TemporaryDirectory()
        let source = directory.path + "/upload"
        try await Fixtures.randomFile(at: source, size: size)
        let (server, port) = try await Self.startServer(directory, arguments)
        return (directory, source, server, port)
    }

    /// A port for a test's server, drawn below the kernel's ephemeral range (32768–60999), where
    /// the run's own client connections would take ports.
    static func freeLookingPort() -> Int {
        Int.random(in: 20_000..<32_768)
    }

    /// The environment of a test's server: its storage in `directory`, and an `admin` with the
    /// tests' password, made quickly at bcrypt's cheapest cost.
    /// Adds a user on the command line (with `options`, a quota say) and signs it in: the curl
    /// arguments of its bearer token.
    static func addUser(_ name: String, _ options: [String] = [], environment: [String: String], port: Int) async throws -> [String] {
        let add = try await Command.run(
            Self.binary,
            ["user", "add", name] + options + ["--password-stdin"],
            environment: environment,
            input: name + "-password\n"
        )
        #expect(add.status == 0, "\(add.stderr)")
        let token = try await Curl.request(
            port: port,
            "/api/token",
            ["-d", "grant_type=password", "-d", "username=" + name, "-d", "password=" + name + "-password"]
        ).decoded(TokenBody.self).access_token
        return ["-H", "Authorization: Bearer " + token]
    }

    static func environment(_ directory: TemporaryDirectory) -> [String: String] {
        [
            "WHARF_STORAGE": directory.path + "/storage", "WHARF_BCRYPT_COST": "4", "WHARF_ADMIN_PASSWORD": TestApp.adminPassword,
            "WHARF_SCRUB_INTERVAL": "off",
        ]
    }

}
