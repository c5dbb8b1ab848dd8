import Synchronization
import Testing

@testable import Auth

/// The throttle with a clock the test moves.
@Suite struct LoginThrottleTests {
    final class ManualClock: Sendable {
        let start = ContinuousClock.now
        let offset = Mutex<Duration>(.zero)
        var now: ContinuousClock.Instant { self.start + self.offset.withLock { $0 } }
        func advance(_ duration: Duration) { self.offset.withLock { $0 += duration } }
    }

    @Test func theLimitTriggersPerNameAndPerAddressAndLiftsAfterTheWindow() {
        let clock = ManualClock()
        let throttle = LoginThrottle(maxFailures: 3, window: .seconds(900)) { clock.now }
        for _ in 0..<3 {
            #expect(throttle.retryAfter(user: "alice", address: "10.0.0.1") == nil)
            throttle.recordFailure(user: "alice", address: "10.0.0.1")
            clock.advance(.seconds(60))
        }
        // The oldest failure counts for 900 - 180 more seconds.
        #expect(throttle.retryAfter(user: "alice", address: "10.0.0.1") == .seconds(720))
        #expect(throttle.retryAfter(user: "ALICE", address: "10.0.0.2") == .seconds(720), "the name, from another address")
        #expect(throttle.retryAfter(user: "bob", address: "10.0.0.1") == .seconds(720), "the address, for another name")
        #expect(throttle.retryAfter(user: "bob", address: "10.0.0.2") == nil)
        clock.advance(.seconds(720))
        #expect(throttle.retryAfter(user: "alice", address: "10.0.0.1") == nil, "the oldest failure aged out")
        throttle.recordFailure(user: "alice", address: "10.0.0.1")
        #expect(throttle.retryAfter(user: "alice", address: "10.0.0.1") == .seconds(60))
        clock.advance(.seconds(60))
        throttle.recordSuccess(user: "alice", address: "10.0.0.1")
        for _ in 0..<2 { throttle.recordFailure(user: "alice", address: "10.0.0.1") }
        #expect(throttle.retryAfter(user: "alice", address: "10.0.0.1") == nil, "a success forgets earlier failures")
    }
}
