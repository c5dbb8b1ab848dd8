public import Foundation

/// Runs real programs (curl, sha256sum, the wharf binary) the way a user would.
public struct Command: Sendable {
    /// What a finished program left.
    public struct Output: Sendable {
        /// Exit status.
        public let status: Int32
        /// Everything written to standard output.
        public let stdout: Data
        /// Everything written to standard error, as text.
        public let stderr: String

        /// Standard output as text.
        public var text: String { String(decoding: self.stdout, as: UTF8.self) }
    }

    /// Runs `executable` (searched in PATH) with `arguments` and waits for it to finish; `input`
    /// is its standard input.
    @discardableResult
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: String? = nil
    ) async throws
        -> Output
    {
        let process = try self.start(executable, arguments, environment: environment, input: input)
        return try await self.wait(process)
    }

    /// Starts a program without waiting for it; `input` is its standard input (none when `nil`).
    public static func start(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: String? = nil
    ) throws
        -> RunningProcess
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let stdin = Pipe()
        process.standardInput = stdin
        let running = RunningProcess(process: process, stdout: stdout, stderr: stderr)
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        return running
    }

    /// Waits at most `timeout` for a started program and collects its output; one still running
    /// then is killed (SIGKILL) and the wait fails, so a program that hangs fails its test instead
    /// of hanging the run.
    public static func wait(_ running: RunningProcess, timeout: Duration = .seconds(180)) async throws -> Output {
        let watchdog = Task { () -> Bool in
            do { try await Task.sleep(for: timeout) } catch { return false }
            running.signal(SIGKILL)
            return true
        }
        let output = await self.collect(running)
        watchdog.cancel()
        if await watchdog.value {
            let commandLine = ([running.process.executableURL?.path ?? ""] + (running.process.arguments ?? [])).joined(separator: " ")
            throw ProgramTimedOut(program: String(commandLine.prefix(200)), timeout: timeout)
        }
        return output
    }

    private static func collect(_ running: RunningProcess) async -> Output {
        async let stdout = try? onOwnThread { running.stdout.fileHandleForReading.readDataToEndOfFile() }
        async let stderr = try? onOwnThread { running.stderr.fileHandleForReading.readDataToEndOfFile() }
        let (out, err) = await (stdout ?? Data(), stderr ?? Data())
        _ = try? await onOwnThread { running.process.waitUntilExit() }
        return Output(status: running.process.terminationStatus, stdout: out, stderr: String(decoding: err, as: UTF8.self))
    }
}

/// A program started by `Command.start`.
public final class RunningProcess: @unchecked Sendable {
    /// The process.
    public let process: Process
    let stdout: Pipe
    let stderr: Pipe

    init(process: Process, stdout: Pipe, stderr: Pipe) {
        self.process = process
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Sends a signal (e.g. SIGTERM, SIGKILL).
    public func signal(_ signal: Int32) {
        kill(self.process.processIdentifier, signal)
    }
}

/// A program that `Command.wait(_:timeout:)` had to kill.
public struct ProgramTimedOut: Error, CustomStringConvertible {
    let program: String
    let timeout: Duration

    public var description: String { "\(self.program) was still running after \(self.timeout) and was killed" }
}
