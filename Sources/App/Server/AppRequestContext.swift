public import Hummingbird
public import HummingbirdAuth
public import HummingbirdWebSocket
public import NIOCore
public import Routing
public import Storage

/// The request context of every Wharf route.
public struct AppRequestContext: RequestContext, RoutingRequestContext, ChannelRequestContext, SessionRequestContext,
    RemoteAddressRequestContext, WebSocketRequestContext
{
    public var coreContext: CoreRequestContextStorage
    public var requestID: String = ""
    /// The signed-in user, set by `AuthenticationMiddleware`; `nil` for anyone else.
    public var identity: Principal?
    /// How the user signed in, set with `identity`: what a lasting answer checks again.
    var credentials: Credentials?
    /// The sign-in session of the request, loaded and saved by hummingbird-auth's session middleware.
    public let sessions = SessionContext<WharfSession>()
    /// The address of the client (the peer of the connection).
    public let remoteAddress: SocketAddress?
    /// The connection (an HTTP/2 stream's own channel).
    public let channel: any Channel
    /// The handler a WebSocket route hands to the upgrade.
    public let webSocket = WebSocketHandlerReference<Self>()
    /// Where the events of a WebSocket start (set before its handshake is answered).
    var eventCursor: Int64?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
    }

    /// Who makes the request: every files operation acts as this principal. A route behind the
    /// authentication middleware always has one; elsewhere it is 401.
    public var principal: Principal {
        get throws {
            guard let identity else { throw AuthenticationMiddleware.unauthenticated }
            return identity
        }
    }

    /// The client's address as the sign-in throttle counts it.
    var clientAddress: String {
        self.remoteAddress?.ipAddress ?? "unknown"
    }

    /// JSON bodies are read with `JSONBody`, which sets its own limit; uploads stream and count.
    public var maxUploadSize: Int { 1 << 20 }
}
