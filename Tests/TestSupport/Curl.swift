import App
public import Foundation
import Synchronization

/// curl, the client most users upload with, driven over a real socket.
public enum Curl {
    /// What curl got back.
    public struct Reply: Sendable {
        /// The final status code (0 when no response arrived).
        public let status: Int
        /// The response body.
        public let body: Data
        /// curl's exit status.
        public let exitStatus: Int32
        /// Response headers of the final response, names in lower case.
        public let headers: [String: String]
        /// Bytes of request body curl sent.
        public let uploaded: Int64
        /// Whether the server sent `100 Continue` first.
        public let sawContinue: Bool
    }

    /// Arguments every request of the current task adds, unless it brings its own credentials
    /// (an `Authorization` header or a cookie): how a test signs curl in.
    @TaskLocal public static var defaultArguments: [String] = []

    /// Runs curl against `http://127.0.0.1:port` + `path` with extra arguments; the response body
    /// goes to `saveTo` when given (and is then not loaded into `body`).
    public static func request(port: Int, _ path: String, _ arguments: [String], saveTo: String? = nil) async throws -> Reply {
        let arguments = self.signedIn(arguments, port: port)
        let directory = try TemporaryDirectory()
        let headersFile = directory.path + "/headers"
        let bodyFile = saveTo ?? directory.path + "/body"
        let output = try await Command.run(
            "curl",
            ["-sS", "-o", bodyFile, "-D", headersFile, "-w", "%{http_code} %{size_upload}", "--max-time", "120"] + arguments
                + ["http://127.0.0.1:\(port)\(path)"]
        )
        let body = saveTo != nil ? Data() : (try? Data(contentsOf: URL(fileURLWithPath: bodyFile))) ?? Data()
        let headerText = (try? String(contentsOfFile: headersFile, encoding: .utf8)) ?? ""
        let written = output.text.split(separator: " ")
        return Reply(
            status: written.first.flatMap { Int($0) } ?? 0,
            body: body,
            exitStatus: output.status,
            headers: self.finalHeaders(headerText),
            uploaded: written.last.flatMap { Int64($0) } ?? 0,
            sawContinue: headerText.hasPrefix("HTTP/1.1 100")
        )
    }

    /// Bearer tokens of `wharf serve` processes a test started, by port: requests to such a port
    /// sign in with it when the task has no `defaultArguments`.
    private static let serverTokens = Mutex<[Int: String]>([:])

    /// Signs in as `user` to the server on `port` (`POST /api/token`), so that later requests of
    /// any task to that port carry the token.
    public static func signIn(port: Int, user: String = "admin", password: String) async throws {
        let reply = try await self.request(
            port: port,
            "/api/token",
            ["-d", "grant_type=password", "-d", "username=\(user)", "--data-urlencode", "password=\(password)"]
        )
        let token = try reply.decoded(TokenBody.self).access_token
        self.serverTokens.withLock { $0[port] = token }
    }

    /// `arguments` with the task's `defaultArguments` (else the token of the server on `port`)
    /// before them, unless they bring their own credentials: for a curl the test runs itself.
    public static func signedIn(_ arguments: [String], port: Int? = nil) -> [String] {
        let bringsCredentials = arguments.contains { argument in
            argument == "-b" || argument == "--cookie" || argument.lowercased().hasPrefix("authorization:")
        }
        if bringsCredentials { return arguments }
        if !self.defaultArguments.isEmpty { return self.defaultArguments + arguments }
        guard let port, let token = self.serverTokens.withLock({ $0[port] }) else { return arguments }
        return ["-H", "Authorization: Bearer " + token] + arguments
    }

    /// Headers of the last response block (after any `100 Continue`).
    static func finalHeaders(_ text: String) -> [String: String] {
        let blocks = text.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }
        var headers: [String: String] = [:]
        for line in (blocks.last ?? "").components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }
}
