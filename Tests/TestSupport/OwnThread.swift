import Foundation

/// Runs blocking work (a pipe read, a wait for a process, a large write) on a thread of its own.
///
/// Not on the cooperative pool: its two threads here run the servers under test. Not on
/// Dispatch's global queue either: on Linux it runs as many items as there are cores and adds a
/// thread only once a second while they all block, so a few long reads (a server's output, read
/// until it exits) queued every other test's curl behind them and stood the run still for minutes.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
