import HTTPTypes
public import NIOCore
public import NIOHTTP1
import NIOHTTPTypesHTTP1
import Routing

/// The event-loop carrier of static answers on an HTTP/1 connection: a GET or HEAD that
/// `StaticFileServer` can answer from its caches at once is answered here, before it reaches
/// Hummingbird's async responder; anything else goes on as it came.
///
/// It sits below the codec that turns HTTP/1 parts into HTTP types (`install(configuration:)`),
/// so that the requests it takes are never converted: a plain request is looked up in the answer
/// cache from its HTTP/1 fields, and the answer's head is written as the HTTP/1 head cached with
/// it. In process the conversion and the codec's hop were about a quarter of a small answer's
/// time (`FastPathProbe`). A request the cache has no answer for (a range, a precondition) is
/// decided from the fields that decide it, read as HTTP types, not from a conversion of its whole
/// head; what it takes then passes through no other handler but the connection's own below.
/// Answers carry what the middleware stack adds (request id, `X-Process-Time`, `Date`,
/// `Server`), are counted in the same route metrics, and are written into the access log;
/// file bodies go out by sendfile on a plain connection (`FastPathConnection`).
///
/// Hummingbird's connection state handler behind this one sees only the requests passed on, so
/// the idle timeout of the connection is kept here (Hummingbird's own must be off), and a
/// quiesce at shutdown waits until the answer being sent here is out.
public final class StaticFastPathHandler: StaticFastPathCarrier, ChannelDuplexHandler, RemovableChannelHandler, FastPathWire {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias InboundOut = HTTPServerRequestPart
    public typealias OutboundIn = HTTPServerResponsePart
    public typealias OutboundOut = HTTPServerResponsePart

    private static let processTimeName = HTTPField.Name.processTime.rawName
    private static let requestIDName = HTTPField.Name.requestID.rawName

    /// A handler that, added after the HTTP types codec of an HTTP/1 connection (in
    /// Hummingbird's additional channel handlers, after `RequestBodyFlowHandler`, which puts the
    /// connection's persistence handler below that codec), puts the fast path right below the
    /// codec and leaves.
    public static func install(configuration: StaticFastPathConfiguration) -> some RemovableChannelHandler {
        Installer(configuration: configuration)
    }

    private final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = Never

        let configuration: StaticFastPathConfiguration

        init(configuration: StaticFastPathConfiguration) {
            self.configuration = configuration
        }

        func handlerAdded(context: ChannelHandlerContext) {
            let pipeline = context.pipeline.syncOperations
            if let codec = try? pipeline.handler(type: HTTP1ToHTTPServerCodec.self) {
                // Only a closed channel refuses, and it needs no fast path.
                try? pipeline.addHandler(StaticFastPathHandler(configuration: self.configuration), position: .before(codec))
            }
            pipeline.removeHandler(context: context, promise: nil)
        }
    }

    public override func handlerAdded(context: ChannelHandlerContext) {
        if self.connection.configuration.usesSendfile {
            self.connection.sendsRegions = true
            // An answer sent from here up to this size (a range, a small file) leaves the
            // channel writable: with NIO's default of 64 KiB, each one turned it unwritable and
            // back, and both changes went through the pipeline to Hummingbird's idle async writer.
            let waterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 128 << 10, high: 256 << 10)
            try? context.channel.syncOptions?.setOption(.writeBufferWaterMark, value: waterMark)
        }
        super.handlerAdded(context: context)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard self.connection.admits(data) else { return }
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            if self.connection.takesRequests, let answer = self.answer(head) {
                self.connection.hold(answer.request, answer: answer.answer)
                return
            }
            self.connection.passOn()
        case .body(let bytes):
            if self.connection.drops(bodyOf: bytes.readableBytes) { return }
        case .end:
            if self.connection.ends(wire: self, context: context) { return }
        }
        self.connection.passingRead()
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let endsAnswer =
            switch self.unwrapOutboundIn(data) {
            case .end: true
            case .head, .body: false
            }
        self.connection.answering(endsAnswer: endsAnswer)
        context.write(data, promise: promise)
    }

    /// The request and its cached answer, for a request the fast path may take.
    private func answer(_ head: HTTPRequestHead) -> (request: FastPathRequest, answer: CachedStaticAnswer)? {
        let method: HTTPRequest.Method
        switch head.method {
        case .GET: method = .get
        case .HEAD: method = .head
        default: return nil
        }
        let fields = PlainRequestFields(head.headers)
        // An absolute-form or asterisk target is left to the codec's reading.
        let path = head.uri.withoutQuery
        guard !fields.hasBody, path.utf8.first == UInt8(ascii: "/"), !self.connection.configuration.isRouted(path) else { return nil }
        let server = self.connection.configuration.server
        var answer: CachedStaticAnswer?
        if !fields.hasConditions {
            if let range = fields.range {
                answer = server.singleRangeAnswer(method: method, path: path, acceptEncoding: fields.acceptEncoding, range: range)
            } else {
                answer = server.rememberedAnswer(method: method, path: path, acceptEncoding: fields.acceptEncoding)
            }
        }
        if answer == nil {
            let request = HTTPRequest(
                method: method,
                scheme: nil,
                authority: nil,
                path: head.uri,
                headerFields: PlainRequestFields.decisive(head.headers)
            )
            answer = server.cachedAnswer(to: request)
        }
        guard let answer else { return nil }
        if case .file = answer.body.content, !self.connection.sendsRegions { return nil }
        return (FastPathRequest(method: method, target: head.uri, requestID: fields.requestID), answer)
    }

    func writeHead(of answer: CachedStaticAnswer, adding fields: AddedFields, context: ChannelHandlerContext) {
        var head = answer.http1Head
        // In the order the middleware stack and Hummingbird add them; none is in a decided
        // answer: appended, not looked up. One field carries the lines of the others, as in a
        // remembered answer's head (`CachedStaticAnswer.framedHTTP1Fields`): their values are
        // made here or checked (`RequestIDGenerator`), none holds a line break.
        let server = self.connection.configuration.serverName
        var lines = ""
        // One allocation: the values and, in 64 bytes, the names and separators between them.
        lines.reserveCapacity(
            fields.processTime.utf8.count + fields.requestID.utf8.count + fields.date.utf8.count + (server?.utf8.count ?? 0) + 64
        )
        lines += fields.processTime
        lines += "\r\n"
        lines += Self.requestIDName
        lines += ": "
        lines += fields.requestID
        lines += "\r\nDate: "
        lines += fields.date
        if let server {
            lines += "\r\nServer: "
            lines += server
        }
        head.headers.add(name: Self.processTimeName, value: lines)
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
    }

    func writeBody(_ bytes: ByteBuffer, promise: EventLoopPromise<Void>?, context: ChannelHandlerContext) {
        context.write(self.wrapOutboundOut(.body(.byteBuffer(bytes))), promise: promise)
    }

    func writeRegion(_ region: FileRegion, promise: EventLoopPromise<Void>?, context: ChannelHandlerContext) {
        context.write(self.wrapOutboundOut(.body(.fileRegion(region))), promise: promise)
    }

    func writeEnd(promise: EventLoopPromise<Void>?, context: ChannelHandlerContext) {
        context.write(self.wrapOutboundOut(.end(nil)), promise: promise)
    }

    /// With the other answers of the event loop's turn (`TurnFlush`).
    func flushAnswer(context: ChannelHandlerContext, then: @escaping () -> Void) {
        TurnFlush.flush(context, then: then)
    }
}

/// What the fast path reads of an HTTP/1 request's fields, in one pass over them; values of a
/// field sent more than once are joined with commas, as the HTTP types join them.
private struct PlainRequestFields {
    var acceptEncoding: String?
    var requestID: String?
    /// A `Content-Length` other than 0: such a request goes the normal way.
    var hasBody = false
    /// The `Range`, which the answer cache does not answer.
    var range: String?
    /// A precondition (an `If-` field of `AnswerCache.preconditions`), which neither the answer
    /// cache nor a plan's `PartialHead` answers.
    var hasConditions = false

    init(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            if Self.names(name, .range) {
                self.range = self.range.map { $0 + ", " + value } ?? value
            } else if AnswerCache.preconditions.contains(where: { Self.names(name, $0) }) {
                self.hasConditions = true
            } else if Self.names(name, .contentLength) {
                if value != "0" { self.hasBody = true }
            } else if Self.names(name, .acceptEncoding) {
                self.acceptEncoding = self.acceptEncoding.map { $0 + ", " + value } ?? value
            } else if Self.names(name, .requestID) {
                self.requestID = self.requestID.map { $0 + ", " + value } ?? value
            }
        }
    }

    /// The fields a static answer is decided by (`Accept-Encoding`, a range, the preconditions),
    /// as HTTP types: a request the answer cache cannot answer is decided from these alone,
    /// without converting the rest of its head.
    static func decisive(_ headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let precondition = AnswerCache.preconditions.first(where: { Self.names(name, $0) }) {
                fields.append(HTTPField(name: precondition, value: value))
            } else if Self.names(name, .acceptEncoding) {
                fields.append(HTTPField(name: .acceptEncoding, value: value))
            }
        }
        return fields
    }

    /// Whether `name` names `field`, in any case (field names are ASCII tokens).
    private static func names(_ name: String, _ field: HTTPField.Name) -> Bool {
        let canonical = field.canonicalName.utf8
        guard name.utf8.count == canonical.count else { return false }
        return zip(name.utf8, canonical).allSatisfy { byte, lowercased in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == lowercased
        }
    }
}
