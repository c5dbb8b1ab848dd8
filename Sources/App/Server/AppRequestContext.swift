public import Hummingbird
public import Routing
public import Storage

/// The request context of every Wharf route.
public struct AppRequestContext: RequestContext, RoutingRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String = ""
    /// Who makes the request; every files operation acts as this principal. Until accounts exist
    /// it is `Principal.local` for every request.
    public var principal: Principal = .local

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// JSON bodies are read with `JSONBody`, which sets its own limit; uploads stream and count.
    public var maxUploadSize: Int { 1 << 20 }
}
