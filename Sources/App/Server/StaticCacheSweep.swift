import ServiceLifecycle
import StaticFiles

/// Once a second the static caches forget what they no longer trust, so that a file removed from
/// a mount is closed, and its space given back, even while no request comes.
struct StaticCacheSweep: Service {
    let server: StaticFileServer

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                self.server.forgetExpired()
            }
        }
    }
}
