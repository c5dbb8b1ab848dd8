import ServiceLifecycle
import Storage

/// Once a second, wakes the event streams when another process has committed to the metadata
/// database (`wharf user passwd`, `role` or `delete` beside the server), so that a sign-in it
/// ended ends its streams within a second rather than at their next heartbeat, and what it wrote
/// (a deleted user's files given to another) is announced as soon.
struct OtherProcessCommitWatch: Service {
    let commits: OtherProcessCommits
    let wake: @Sendable () -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var seen = try? await self.commits.version()
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let version = try? await self.commits.version()
                if version != seen {
                    seen = version
                    self.wake()
                }
            }
        }
    }
}
