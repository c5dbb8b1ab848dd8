internal import CFileStatus
import Compression
public import FileResponses
import Glibc
public import HTTPTypes
import MediaTypes
public import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import Routing

/// What a static answer will be, decided from the file's status and the request alone: which
/// file is sent (the original or a precompressed sidecar), as what, coded how, cached how.
struct StaticPlan {
    let served: ContainedFile
    let mediaType: String
    /// The file is gzipped on the fly.
    let gzipped: Bool
    /// 200, or 404 for a mount's 404 page.
    let status: HTTPResponse.Status
    /// The fields the mount adds to what `FileResponse` decides (`Cache-Control`, the coding, `Vary`,
    /// the site's `Content-Security-Policy`), made once with the plan.
    let mountFields: [HTTPField]
}

/// The bytes of a static answer: a buffer (a small file or a gzip from the caches) or the open
/// file, and the validator of the content they hold.
public struct StaticBody: Sendable {
    /// Where the bytes are.
    public enum Content: Sendable {
        case memory(ByteBuffer)
        case file(OpenFile)
    }

    /// The bytes.
    public let content: Content
    /// The content hash the entity tag is made of; `nil` while a large file's is being made.
    let hash: String?
}

/// A static answer decided from the caches alone, ready for the event-loop carriers. A class: an
/// answer passes through several hands for each request, and a reference is one count to keep.
public final class CachedStaticAnswer: Sendable {
    /// Its fields as HTTP types: decided with the answer, or those of a plan's single-range
    /// answers with the range's own (made only when a carrier asks for them).
    private enum Fields {
        case decided(HTTPFields)
        case partial(PartialHead, range: ClosedRange<Int64>, size: Int64)
    }

    /// 200, 206 or 304.
    public let status: HTTPResponse.Status
    /// The body, in order (empty for 304).
    public let segments: [FileAnswer.Segment]
    /// False for HEAD and 304.
    public let sendsBody: Bool
    /// Where the segments' file bytes are.
    public let body: StaticBody
    /// How metrics name the route (`static:/`).
    public let endpointPath: String
    /// The answer's head as HTTP/1 writes it, made once with the answer (an answer from the
    /// answer cache is sent many times).
    let http1Head: HTTPResponseHead
    private let fields: Fields

    /// - Parameter isRemembered: whether the answer cache keeps the answer, to send it again:
    ///   its head is then written in `framedHTTP1Fields`' form.
    init(answer: FileAnswer, body: StaticBody, endpointPath: String, isRemembered: Bool) {
        self.status = answer.status
        self.segments = answer.segments
        self.sendsBody = answer.sendsBody
        self.fields = .decided(answer.headers)
        self.body = body
        self.endpointPath = endpointPath
        let status = HTTPResponseStatus(statusCode: answer.status.code, reasonPhrase: answer.status.reasonPhrase)
        let headers = isRemembered ? Self.framedHTTP1Fields(answer.headers) : HTTPHeaders(answer.headers)
        self.http1Head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
    }

    /// The answer with `head` for `range` of the `size` bytes of `body`.
    init(partial head: PartialHead, range: ClosedRange<Int64>, size: Int64, sendsBody: Bool, body: StaticBody, endpointPath: String) {
        self.status = .partialContent
        self.segments = [.file(range.lowerBound, range.upperBound - range.lowerBound + 1)]
        self.sendsBody = sendsBody
        self.fields = .partial(head, range: range, size: size)
        self.body = body
        self.endpointPath = endpointPath
        self.http1Head = HTTPResponseHead(version: .http1_1, status: .partialContent, headers: head.http1Headers(range, size: size))
    }

    /// Every field of the answer, `Content-Length` among them.
    public var headers: HTTPFields {
        switch self.fields {
        case .decided(let fields): fields
        case .partial(let head, let range, let size): head.fields(range, size: size)
        }
    }

    /// The fields as HTTP/1 headers in which only those NIO's encoder and the connection's
    /// persistence handler look at (`Content-Length`, `Transfer-Encoding`, `Connection`) are
    /// fields of their own; each run of the others is one field whose value carries the lines of
    /// the rest of the run. NIO writes every name and value with a copy of its own: 13 fields
    /// took 7.5% of a 1 KiB answer's samples. The bytes on the wire are the same; the values
    /// come from `HTTPFields`, which holds no line breaks.
    static func framedHTTP1Fields(_ fields: HTTPFields) -> HTTPHeaders {
        var headers: [(String, String)] = []
        var run: (name: String, value: String)?
        for field in fields {
            if field.name == .contentLength || field.name == .transferEncoding || field.name == .connection {
                if let ended = run { headers.append(ended) }
                run = nil
                headers.append((field.name.rawName, field.value))
            } else if run == nil {
                run = (field.name.rawName, field.value)
            } else {
                run!.value += "\r\n\(field.name.rawName): \(field.value)"
            }
        }
        if let ended = run { headers.append(ended) }
        return HTTPHeaders(headers)
    }
}

extension StaticFileServer {
    /// The plan for sending `file` of `mount` to `request` with `status`.
    func plan(
        _ file: ContainedFile,
        from mount: StaticMount,
        request: HTTPRequest,
        status: HTTPResponse.Status,
        mediaType: String
    )
        -> StaticPlan
    {
        let path = file.path
        // Precompressed sidecars (name.br, name.zst, name.gz) make the resource negotiable: every
        // answer then varies on Accept-Encoding, and each coding has its own validator.
        let sidecars = self.sidecars.codings(of: path, in: mount.directory)
        let negotiated = status == .ok ? ContentCoding.negotiate(request.headerFields[.acceptEncoding], available: sidecars) : nil
        // A sidecar removed since it was probed is not found here: the original is sent.
        let sidecar: (coding: ContentCoding, file: ContainedFile)? = negotiated.flatMap { coding in
            mount.directory.lookup(path + coding.fileSuffix).flatMap { $0.status.isRegular ? (coding, $0) : nil }
        }
        let served = sidecar?.file ?? file
        let cacheControl = self.cachePolicy.value(path: mount.urlPath(of: path), fileName: file.name, mediaType: mediaType)
        // Compressible files without sidecars are gzipped on the fly (never for a range request,
        // a no-transform policy or a 404 page), so they are negotiable too.
        let onTheFly =
            sidecars.isEmpty && status == .ok && GzipEncoder.isCompressible(mediaType) && !cacheControl.contains("no-transform")
            && (GzipEncoder.minimumSize...GzipEncoder.maximumSize).contains(Int(served.status.size))
        let gzipped =
            onTheFly && request.headerFields[.range] == nil
            && ContentCoding.negotiate(request.headerFields[.acceptEncoding], available: [.gzip]) != nil
        let negotiable = !sidecars.isEmpty || onTheFly
        var mountFields = [HTTPField(name: .cacheControl, value: cacheControl)]
        if let coding = sidecar?.coding { mountFields.append(HTTPField(name: .contentEncoding, value: coding.rawValue)) }
        if gzipped { mountFields.append(HTTPField(name: .contentEncoding, value: "gzip")) }
        if negotiable { mountFields.append(HTTPField(name: .vary, value: "Accept-Encoding")) }
        if mount.htmlMode && mediaType == "text/html", let policy = self.htmlPolicy {
            mountFields.append(HTTPField(name: .contentSecurityPolicy, value: policy))
        }
        return StaticPlan(
            served: served,
            mediaType: mediaType,
            gzipped: gzipped,
            status: status,
            mountFields: mountFields
        )
    }

    /// How `FileResponse` describes the file of a plan with its body.
    func fileResponse(_ plan: StaticPlan, body: StaticBody) -> FileResponse {
        FileResponse(
            contentType: MediaTypeTable.headerValue(for: plan.mediaType),
            entityTag: body.hash.map { EntityTag(plan.gzipped ? $0 + "-gzip" : $0) },
            lastModified: plan.served.status.modifiedSeconds,
            disposition: nil,
            maxRanges: self.maxRanges
        )
    }

    /// The answer of a plan with its body, described by `response`: `FileResponse` decides
    /// validators, preconditions and ranges, then the mount's fields are added. A refusal (412,
    /// 416) carries them too.
    func answer(_ plan: StaticPlan, body: StaticBody, response: FileResponse, request: HTTPRequest) throws(FileResponseError) -> FileAnswer {
        // A 404 page answers whatever was asked with the whole page.
        let head = plan.status == .ok ? request : HTTPRequest(method: request.method, scheme: nil, authority: nil, path: "/")
        let size: Int64 =
            switch body.content {
            case .memory(let bytes): Int64(bytes.readableBytes)
            case .file: plan.served.status.size
            }
        var answer: FileAnswer
        do {
            answer = try response.answer(to: head, size: size)
        } catch {
            // The cache policy and `Vary` of the mount's fields; a refusal has no coding.
            throw error.adding(HTTPFields(plan.mountFields.filter { $0.name == .cacheControl || $0.name == .vary }))
        }
        if plan.status != .ok { answer.status = plan.status }
        // None of these is in `FileResponse`'s answer: appended, not looked up first.
        answer.headers.append(contentsOf: plan.mountFields)
        return answer
    }

    /// The answer cache's answer to a plain GET or HEAD of `path` (no range, no precondition) with
    /// this `Accept-Encoding`, if it has one: what `cachedAnswer(to:)` finds first, for a carrier
    /// that has not read the request as HTTP types.
    func rememberedAnswer(method: HTTPRequest.Method, path: Substring, acceptEncoding: String?) -> CachedStaticAnswer? {
        self.answers.lookup(AnswerCache.Key(path: String(path), method: method, acceptEncoding: acceptEncoding))
    }

    /// The answer to a GET or HEAD of a static file when the caches can give it at once (a plain
    /// request for a small file, from the answer cache, without a look at the disk; any other
    /// from a plan found less than a second ago): the path names a file (or a site directory's
    /// index), no route claims it, its media type and content hash are known, and its bytes are
    /// cached (small files, gzips) or a region of the open file.
    /// `nil` sends the request the normal way, where the same answer (or any error page) is made
    /// after whatever reading and hashing it needs.
    public func cachedAnswer(to request: HTTPRequest) -> CachedStaticAnswer? {
        guard request.method == .get || request.method == .head, let target = request.path else { return nil }
        let path = target.withoutQuery
        let key = AnswerCache.key(for: request, path: path)
        if let key, let known = self.answers.lookup(key) { return known }
        let planKey = PlanCache.Key(path: path, request: request)
        let planned: PlanCache.Entry
        if let known = self.plans.lookup(planKey) {
            guard known.isCurrent else {
                self.plans.remove(planKey)
                return nil
            }
            planned = known
        } else {
            guard let found = self.plannedAnswer(path, request: request) else { return nil }
            let response = self.fileResponse(found.plan, body: found.body)
            planned = PlanCache.Entry(
                plan: found.plan,
                body: found.body,
                response: response,
                endpointPath: found.mount.endpointPath,
                partialHead: self.partialHead(found.plan, body: found.body, response: response)
            )
            self.plans.store(planned, for: planKey)
        }
        do {
            let answer = CachedStaticAnswer(
                answer: try self.answer(planned.plan, body: planned.body, response: planned.response, request: request),
                body: planned.body,
                endpointPath: planned.endpointPath,
                isRemembered: key != nil && AnswerCache.keeps(planned.body)
            )
            guard self.sendsWithoutWaiting(answer) else { return nil }
            if let key { self.answers.store(answer, for: key) }
            return answer
        } catch {
            return nil
        }
    }

    /// The head of a plan's single-range answers, decided by the engine for a sample range.
    func partialHead(_ plan: StaticPlan, body: StaticBody, response: FileResponse) -> PartialHead? {
        guard plan.status == .ok, !plan.gzipped else { return nil }
        let sample = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/", headerFields: [.range: "bytes=0-0"])
        return (try? self.answer(plan, body: body, response: response, request: sample)).flatMap(PartialHead.init(sample:))
    }

    /// The answer to a GET or HEAD of `path` with this `Accept-Encoding` and a `Range`, and no
    /// precondition, when the range is one satisfiable range of a file planned less than a second
    /// ago: made from the plan's `PartialHead`. Any other range (several, none satisfiable, one
    /// ignored) is left to `cachedAnswer(to:)`.
    func singleRangeAnswer(method: HTTPRequest.Method, path: Substring, acceptEncoding: String?, range: String) -> CachedStaticAnswer? {
        let planKey = PlanCache.Key(path: path, acceptEncoding: acceptEncoding, isRange: true)
        guard let planned = self.plans.lookup(planKey), let head = planned.partialHead, planned.isCurrent else { return nil }
        let size: Int64 =
            switch planned.body.content {
            case .memory(let bytes): Int64(bytes.readableBytes)
            case .file: planned.plan.served.status.size
            }
        guard case .partial(let ranges) = ByteRanges(header: range, size: size, maxRanges: self.maxRanges), ranges.count == 1 else {
            return nil
        }
        let answer = CachedStaticAnswer(
            partial: head,
            range: ranges[0],
            size: size,
            sendsBody: method != .head,
            body: planned.body,
            endpointPath: planned.endpointPath
        )
        return self.sendsWithoutWaiting(answer) ? answer : nil
    }

    /// The plan and cached body for `path`, found without waiting: the file it names (or a site
    /// directory's index) in the mount that serves it, when no route claims it and its media
    /// type, content hash and bytes or open descriptor are at hand.
    private func plannedAnswer(_ path: Substring, request: HTTPRequest) -> (plan: StaticPlan, body: StaticBody, mount: StaticMount)? {
        if self.excludedPrefixes.contains(where: { path.hasPrefix($0) }) { return nil }
        guard let mount = self.mounts.first(where: { $0.relativePath(path) != nil }) else { return nil }
        let file: ContainedFile
        switch StaticPathResolver.resolve(path, in: mount) {
        case .file(let found):
            file = found
        case .directory(let directory) where mount.htmlMode:
            guard let index = mount.directory.lookup(directory + "/index.html"), index.status.isRegular else { return nil }
            file = index
        default:
            return nil
        }
        guard let mediaType = self.knownMediaType(of: file) else { return nil }
        let plan = self.plan(file, from: mount, request: request, status: .ok, mediaType: mediaType)
        return self.cachedBody(of: plan, in: mount.directory).map { (plan, $0, mount) }
    }

    /// sendfile(2) runs on the event loop and waits there for every page it must read from the
    /// disk, holding up every other connection of the loop: an answer is sent that way only when
    /// its file regions are in the page cache, every page of them (cachestat(2)), or where the
    /// kernel cannot tell, when each is at most `largestUncheckedRegion` bytes with both ends
    /// cached. Other bodies are read on the thread pool by the normal path.
    func sendsWithoutWaiting(_ cached: CachedStaticAnswer) -> Bool {
        guard case .file(let file) = cached.body.content, cached.sendsBody else { return true }
        let descriptor = file.descriptor
        for case .file(let offset, let length) in cached.segments {
            switch cfilestatus_range_cached(descriptor, offset, length) {
            case 1: continue
            case 0: return false
            default:
                if length > Self.largestUncheckedRegion || cfilestatus_ends_cached(descriptor, offset, length) != 1 { return false }
            }
        }
        return true
    }

    /// The body of a plan from the caches, or an open descriptor of a large file whose hash is
    /// known; `nil` where the normal path would read, hash or compress first.
    func cachedBody(of plan: StaticPlan, in directory: MountDirectory) -> StaticBody? {
        let served = plan.served
        let identity = served.status.identity
        let small = self.smallFiles.lookup(served.path, identity: identity)
        guard let hash = small?.hash ?? self.hashes.knownHash(of: identity) else { return nil }
        if plan.gzipped { return self.gzip.cached(key: hash).map { StaticBody(content: .memory($0), hash: hash) } }
        if let small { return StaticBody(content: .memory(small.content), hash: hash) }
        guard served.status.size > SmallFileCache.maxFileSize else { return nil }
        return directory.openForReading(served.path).map { StaticBody(content: .file(OpenFile(descriptor: $0)), hash: hash) }
    }
}
