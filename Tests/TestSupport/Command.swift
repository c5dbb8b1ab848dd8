internal import CSpawn
public import Foundation

/// Runs real programs (curl, sha256sum, the wharf binary) the way a user would.
public struct Command: Sendable {
    /// What a finished program left.
    public struct Output: Sendable {
        /// Exit status (the signal's number for a program a signal ended).
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
    ///
    /// Spawned with `posix_spawn`, not Foundation's `Process`: on Linux `Process.run()` copies
    /// each `/proc/self/fd` entry's whole 256-byte name, reading past the end of glibc's directory
    /// buffer, which crashed the test run now and then (swift-corelibs-foundation#5472).
    public static func start(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: String? = nil
    ) throws
        -> RunningProcess
    {
        let (stdin, stdout, stderr) = (try Pipe(), try Pipe(), try Pipe())
        var variables = ProcessInfo.processInfo.environment
        if let environment { variables.merge(environment) { $1 } }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: Int32 = 0
        // As Process does, the program gets none of the tests' descriptors but these three.
        let search: Int32 = executable.hasPrefix("/") ? 0 : 1
        let spawned = cspawn_start(executable, argv, envp, search, stdin.read, stdout.write, stderr.write, &pid)
        for fd in [stdin.read, stdout.write, stderr.write] { close(fd) }
        let standardInput = FileHandle(fileDescriptor: stdin.write, closeOnDealloc: true)
        guard spawned == 0 else {
            for fd in [stdout.read, stderr.read] { close(fd) }
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT)
        }
        if let input { standardInput.write(Data(input.utf8)) }
        try standardInput.close()
        return RunningProcess(
            processIdentifier: pid,
            commandLine: ([executable] + arguments).joined(separator: " "),
            stdout: FileHandle(fileDescriptor: stdout.read, closeOnDealloc: true),
            stderr: FileHandle(fileDescriptor: stderr.read, closeOnDealloc: true)
        )
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
            throw ProgramTimedOut(program: String(running.commandLine.prefix(200)), timeout: timeout)
        }
        return output
    }

    private static func collect(_ running: RunningProcess) async -> Output {
        async let stdout = try? onOwnThread { running.stdout.readDataToEndOfFile() }
        async let stderr = try? onOwnThread { running.stderr.readDataToEndOfFile() }
        let (out, err) = await (stdout ?? Data(), stderr ?? Data())
        let status = (try? await onOwnThread { running.waitForExit() }) ?? -1
        return Output(status: status, stdout: out, stderr: String(decoding: err, as: UTF8.self))
    }

    /// A pipe whose ends are closed on exec, so that only the duplicates given to a program reach it.
    private struct Pipe {
        let read: Int32
        let write: Int32

        init() throws {
            var ends: [Int32] = [0, 0]
            guard cspawn_pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
            (self.read, self.write) = (ends[0], ends[1])
        }
    }
}

/// A program started by `Command.start`.
public final class RunningProcess: Sendable {
    /// The program's process id.
    public let processIdentifier: Int32
    let commandLine: String
    let stdout: FileHandle
    let stderr: FileHandle

    init(processIdentifier: Int32, commandLine: String, stdout: FileHandle, stderr: FileHandle) {
        self.processIdentifier = processIdentifier
        self.commandLine = commandLine
        self.stdout = stdout
        self.stderr = stderr
    }

    /// A program still running when its last handle goes (a test that failed before it stopped
    /// its server) is killed and reaped, so that no test leaves a process behind.
    deinit {
        guard self.isRunning else { return }
        self.signal(SIGKILL)
        _ = self.waitForExit()
    }

    /// Whether the program is still running (one that ended but is not reaped yet is not).
    public var isRunning: Bool { cspawn_has_ended(self.processIdentifier) == 0 }

    /// Sends a signal (e.g. SIGTERM, SIGKILL).
    public func signal(_ signal: Int32) {
        kill(self.processIdentifier, signal)
    }

    /// Waits for the program to end (blocking) and reaps it: its exit status, or the number of
    /// the signal that ended it.
    func waitForExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(self.processIdentifier, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }
}

/// A program that `Command.wait(_:timeout:)` had to kill.
public struct ProgramTimedOut: Error, CustomStringConvertible {
    let program: String
    let timeout: Duration

    public var description: String { "\(self.program) was still running after \(self.timeout) and was killed" }
}
