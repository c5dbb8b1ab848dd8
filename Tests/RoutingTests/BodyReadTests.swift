import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import Routing

/// While a large request body arrives, its connection reads up to 1 MiB at a time, one read per
/// wake-up (NIO's pool of read buffers copies every buffer it adds); once the body ends, the
/// connection reads as NIO does again (at most 64 KiB, four reads per wake-up).
@Suite struct BodyReadTests {
    /// A context that can see its connection.
    struct ConnectionContext: RequestContext {
        var coreContext: CoreRequestContextStorage
        let channel: any Channel

        init(source: ApplicationRequestContextSource) {
            self.coreContext = .init(source: source)
            self.channel = source.channel
        }
    }

    @Test func largeBodiesAreReadInLargerPiecesAndTheConnectionGoesBackAfter() async throws {
        let router = Router(context: ConnectionContext.self)
        // The largest read of the connection while the body arrives, and its reads per wake-up.
        router.put("/largest-read") { request, context -> String in
            let reads = try await context.channel.getOption(ChannelOptions.recvAllocator)
            let readsPerWakeUp = try await context.channel.getOption(ChannelOptions.maxMessagesPerRead)
            _ = try await request.body.collect(upTo: .max)
            return "\(try #require(reads as? AdaptiveRecvByteBufferAllocator).maximum) \(readsPerWakeUp)"
        }
        // Its own sizes: the other tests' uploads in this process share the process's.
        let readSizes = BodyReadSizes()
        let app = Application(
            router: router,
            server: .http1(
                configuration: .init(additionalChannelHandlers: [
                    RequestBodyFlowHandler(maxBodySize: 1 << 30, readSizes: readSizes)
                ])
            )
        )
        try await app.test(.live) { client in
            // More than the reads held before the connection stops reading and the socket's buffers
            // together, so that it is still arriving when the route looks.
            let large = try await client.execute(uri: "/largest-read", method: .put, body: ByteBuffer(repeating: 1, count: 64 << 20))
            #expect(String(buffer: large.body) == "\(1 << 20) 1")
            // The same connection, a body under 1 MiB.
            let small = try await client.execute(uri: "/largest-read", method: .put, body: ByteBuffer(repeating: 1, count: 900 << 10))
            #expect(String(buffer: small.body) == "\(64 << 10) 4")
        }
    }

    /// The bodies received at once share 2 MiB of read size: 1 MiB each for one or two, never
    /// under NIO's 64 KiB however many; a body that ends gives its share back.
    @Test func bodiesReceivedAtOnceShareTheirReadSize() {
        let sizes = BodyReadSizes()
        #expect(sizes.enter() == 1 << 20)
        #expect(sizes.enter() == 1 << 20)
        #expect(sizes.enter() == 512 << 10)
        for _ in 4...32 { _ = sizes.enter() }
        #expect(sizes.enter() == 64 << 10)
        for _ in 1...33 { sizes.leave() }
        #expect(sizes.enter() == 1 << 20)
    }
}
