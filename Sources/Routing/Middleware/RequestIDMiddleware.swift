import HTTPTypes
public import Hummingbird
import Logging
import Synchronization
import TextBytes

/// Gives every request an id: a sane incoming `X-Request-ID` is kept (so ids follow a request
/// through proxies), anything else is replaced by a new random one. The id is echoed in the
/// response and attached to the request's logger.
public struct RequestIDMiddleware<Context: RoutingRequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = RequestIDGenerator.id(keeping: request.headers[.requestID])
        context.requestID = id
        context.logger[metadataKey: "request.id"] = .string(id)
        var response = try await next(request, context)
        response.headers.setUnrepeated(.requestID, to: id)
        return response
    }

}

/// 32 hex digits: a random prefix drawn once per process and a counter, so request ids are unique
/// without a system call per request.
public enum RequestIDGenerator {
    private static let prefix = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)

    /// The id of a request that came with `incoming` (its `X-Request-ID`): kept when sane, else new.
    public static func id(keeping incoming: String?) -> String {
        incoming.flatMap { Self.isSane($0) ? $0 : nil } ?? Self.next()
    }

    /// 1 to 128 characters of letters, digits and `-_.:` (no spaces, quotes or control bytes that
    /// could forge log lines or headers).
    static func isSane(_ id: String) -> Bool {
        let bytes = id.utf8
        return (1...128).contains(bytes.count)
            && bytes.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "-_.:".utf8.contains(byte)
            }
    }

    static func next() -> String {
        let count = self.counter.wrappingAdd(1, ordering: .relaxed).newValue
        // Written in place: one allocation per id, on the path of every answer.
        return String(unsafeUninitializedCapacity: 32) { text in
            Hex.write(self.prefix, into: text, at: 0)
            Hex.write(count, into: text, at: 16)
            return 32
        }
    }
}
