import Foundation

/// Clients written by others, in Python, from the venv `scripts/test` makes (`.build-test/venv`):
/// tuspy and Selenium. Their driver scripts live in `Tests/Clients`.
public enum PythonClients {
    /// The repository's root.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .path

    /// Where the browser tests leave their screenshots (ignored by git, as every `.build*` folder).
    public static var screenshots: String { repository + "/.build-test/screenshots" }

    /// The web site of the repository, `static/`.
    public static var site: String { repository + "/static" }

    /// The venv's interpreter.
    public static var python: String { repository + "/.build-test/venv/bin/python" }

    /// Runs `Tests/Clients/<script>` with `arguments`; fails (never skips) when the venv is missing.
    public static func run(_ script: String, _ arguments: [String], timeout: Duration = .seconds(180)) async throws -> Command.Output {
        guard FileManager.default.isExecutableFile(atPath: self.python) else { throw MissingVenv() }
        return try await Command.wait(try Command.start(self.python, [repository + "/Tests/Clients/" + script] + arguments), timeout: timeout)
    }

    /// The venv with the Python clients is not there.
    public struct MissingVenv: Error, CustomStringConvertible {
        public var description: String {
            "No .build-test/venv: run scripts/test once, which installs the Python clients (tuspy, Selenium, h2) there."
        }
    }
}
