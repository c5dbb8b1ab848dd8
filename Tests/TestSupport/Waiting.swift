public import Testing

/// Polls `condition` every 20 ms for at most `timeout` (generous: tests share two cores), instead
/// of a fixed sleep; the test records an issue naming `what` when the condition never holds.
public func waitUntil(
    _ what: String,
    timeout: Duration = .seconds(30),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("Timed out waiting until \(what)", sourceLocation: sourceLocation)
}
