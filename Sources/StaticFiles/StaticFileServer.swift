import Compression
import FileResponses
import Glibc
import HTTPTypes
import Hummingbird
public import MediaTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import NIOPosix
import Routing

/// The static mounts' engine: it decides every static answer, for both of its carriers (the
/// router middleware, and the event-loop fast path for answers the caches can give at once).
///
/// `StaticPathResolver` decides which file a path names; `FileResponse` how to send it
/// (validators, ranges, HEAD). Files are typed by extension, or sniffed once with libmagic when the
/// extension is unknown; textual types carry `charset=utf-8`; every response has
/// `X-Content-Type-Options: nosniff` and a `Cache-Control` from the policy.
public final class StaticFileServer: Sendable {
    let mounts: [StaticMount]
    let cachePolicy: CachePolicy
    let sniffer: ContentSniffer
    let hashes = ContentHashCache()
    let sniffed = NIOLockedValueBox<[ContentHashCache.Identity: String]>([:])
    let maxRanges: Int
    let excludedPrefixes: [String]
    let htmlPolicy: String?
    let gzip = GzipEncoder()
    let smallFiles = SmallFileCache()
    let sidecars = SidecarCache()
    let answers = AnswerCache()
    let plans = PlanCache()
    /// Where the kernel cannot tell whether a whole region is cached (no cachestat(2)), the
    /// largest one sent by sendfile from the event loop (both of its ends cached).
    static let largestUncheckedRegion: Int64 = 1 << 20

    /// Serves `mounts`, the longest matching prefix first; paths under `excludedPrefixes` (the
    /// API's) are never looked up, so they keep their JSON 404. `htmlPolicy` is the
    /// `Content-Security-Policy` of the HTML pages of html-mode mounts (the site).
    public init(
        mounts: [StaticMount],
        cachePolicy: CachePolicy,
        sniffer: ContentSniffer,
        maxRanges: Int = 16,
        excludedPrefixes: [String] = [],
        htmlPolicy: String? = nil
    ) {
        self.mounts = mounts.sorted { $0.prefix.count > $1.prefix.count }
        self.htmlPolicy = htmlPolicy
        self.excludedPrefixes = excludedPrefixes
        self.cachePolicy = cachePolicy
        self.sniffer = sniffer
        self.maxRanges = maxRanges
    }

    func serve(_ request: Request, from mount: StaticMount) async throws -> Response? {
        switch StaticPathResolver.resolve(request.uri.path[...], in: mount) {
        case .file(let file):
            return try await self.send(file, from: mount, request: request, status: .ok)
        case .redirect(let location):
            let query = request.uri.query.map { "?" + $0 } ?? ""
            return Response(status: .permanentRedirect, headers: [.location: location + query, .contentLength: "0"])
        case .directory(let path):
            if mount.htmlMode, let index = mount.directory.lookup(path + "/index.html"), index.status.isRegular {
                return try await self.send(index, from: mount, request: request, status: .ok)
            }
            if mount.browse { return try Self.listing(path, mount: mount, request: request) }
            return try await self.missing(request, mount: mount)
        case .notFound:
            return try await self.missing(request, mount: mount)
        case .malformed:
            throw StaticFileError.malformedPath
        }
    }

    /// Forgets what the caches no longer trust: called every second, so that a file removed from
    /// a mount is not held open while no request comes.
    public func forgetExpired() {
        self.plans.removeExpired()
        self.answers.removeExpired()
    }

    /// Whether `path` names a file or a directory in `mount`.
    func names(_ path: Substring, in mount: StaticMount) -> Bool {
        switch StaticPathResolver.resolve(path, in: mount) {
        case .file, .redirect, .directory: return true
        case .notFound, .malformed: return false
        }
    }

    /// The `--browse` page of a directory; HEAD gets its headers only.
    static func listing(_ directory: String, mount: StaticMount, request: Request) throws -> Response {
        let listing = try DirectoryListing(directory: directory, mount: mount)
        let wantsJSON = request.headers[.accept]?.contains("application/json") == true
        let body = wantsJSON ? ByteBuffer(data: try listing.json()) : ByteBuffer(string: listing.html(title: request.uri.path))
        let headers: HTTPFields = [
            .contentType: wantsJSON ? "application/json" : "text/html; charset=utf-8",
            .cacheControl: "no-cache",
            .vary: "Accept",
            .contentTypeOptions: "nosniff",
        ]
        let response = Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        return request.method == .head ? response.createHeadResponse() : response
    }

    /// The SPA fallback (index with 200 for requests that accept HTML), else the mount's 404.html.
    func missing(_ request: Request, mount: StaticMount) async throws -> Response? {
        guard mount.htmlMode else { return nil }
        if mount.spaFallback, request.headers[.accept]?.contains("text/html") == true,
            let index = mount.directory.lookup(mount.root + "/index.html"), index.status.isRegular
        {
            return try await self.send(index, from: mount, request: request, status: .ok)
        }
        if let page = mount.directory.lookup(mount.root + "/404.html"), page.status.isRegular {
            return try await self.send(page, from: mount, request: request, status: .notFound)
        }
        return nil
    }

    func send(_ file: ContainedFile, from mount: StaticMount, request: Request, status: HTTPResponse.Status) async throws -> Response? {
        let mediaType = self.mediaType(of: file, in: mount.directory)
        let plan = self.plan(file, from: mount, request: request.head, status: status, mediaType: mediaType)
        guard let body = try await self.body(of: plan, for: request.head, in: mount.directory) else { return nil }
        let answer = try self.answer(plan, body: body, response: self.fileResponse(plan, body: body), request: request.head)
        let source: any ByteSource
        switch body.content {
        case .memory(let bytes):
            source = MemorySource(bytes)
        case .file(let file):
            source = LocalFileSource(descriptor: file.descriptor, size: plan.served.status.size, heldOpenBy: file)
        }
        guard answer.sendsBody else {
            try await source.close()
            return Response(status: answer.status, headers: answer.headers)
        }
        return Response(status: answer.status, headers: answer.headers, body: try await FileResponse.body(source, answer.segments))
    }

    /// The body of a planned answer, reading and hashing (on the thread pool) what the caches do
    /// not hold yet; `nil` when the file can no longer be opened. A file larger than
    /// `ContentHashCache.awaitedSize` whose hash is not made yet is sent without it, unless the
    /// request's preconditions name entity tags.
    func body(of plan: StaticPlan, for request: HTTPRequest, in directory: MountDirectory) async throws -> StaticBody? {
        let served = plan.served
        let identity = served.status.identity
        var small = self.smallFiles.lookup(served.path, identity: identity)
        if small == nil && served.status.size <= SmallFileCache.maxFileSize {
            guard let descriptor = directory.openForReading(served.path) else { return nil }
            let cache = self.smallFiles
            small = try await NIOThreadPool.singleton.runIfActive {
                defer { close(descriptor) }
                return try cache.load(served.path, identity: identity, descriptor: descriptor)
            }
        }
        if plan.gzipped {
            let hash = if let small { small.hash } else { try await self.hashes.hash(of: served.path, identity: identity, in: directory) }
            return StaticBody(content: .memory(try await self.gzip(served, key: hash, content: small?.content, in: directory)), hash: hash)
        }
        if let small { return StaticBody(content: .memory(small.content), hash: small.hash) }
        let hash: String? =
            if served.status.size <= ContentHashCache.awaitedSize || Self.namesEntityTags(request) {
                try await self.hashes.hash(of: served.path, identity: identity, in: directory)
            } else {
                self.hashes.startedHash(of: served.path, identity: identity, in: directory)
            }
        return directory.openForReading(served.path).map { StaticBody(content: .file(OpenFile(descriptor: $0)), hash: hash) }
    }

    /// Whether the request's preconditions compare entity tags (`If-Range` may hold a date; it
    /// waits all the same).
    static func namesEntityTags(_ request: HTTPRequest) -> Bool {
        request.headerFields[.ifMatch] != nil || request.headerFields[.ifNoneMatch] != nil || request.headerFields[.ifRange] != nil
    }

    /// The gzip of a whole file (at most `GzipEncoder.maximumSize`), cached under its validator.
    func gzip(_ file: ContainedFile, key: String, content cached: ByteBuffer?, in directory: MountDirectory) async throws -> ByteBuffer {
        let content: ByteBuffer
        if let cached {
            content = cached
        } else {
            guard let descriptor = directory.openForReading(file.path) else { throw StaticFileError.unreadable }
            let source = LocalFileSource(descriptor: descriptor, size: file.status.size)
            content = try await source.read(offset: 0, length: Int(source.size))
            try await source.close()
        }
        let encoder = self.gzip
        return try await NIOThreadPool.singleton.runIfActive { try encoder.gzip(content, key: key) }
    }

    /// The media type of a static file: by extension, else sniffed once per file identity (a
    /// read of its first bytes, the only read made for it on the calling thread).
    func mediaType(of file: ContainedFile, in directory: MountDirectory) -> String {
        if let known = self.knownMediaType(of: file) { return known }
        let identity = file.status.identity
        var sample = [UInt8](repeating: 0, count: ContentSniffer.sampleSize)
        guard let fd = directory.openForReading(file.path) else { return "application/octet-stream" }
        let count = sample.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        close(fd)
        let type = self.sniffer.sniff(Array(sample.prefix(max(0, count)))) ?? "application/octet-stream"
        self.sniffed.withLockedValue { cache in
            if cache.count >= 16384 { cache.removeAll(keepingCapacity: true) }
            cache[identity] = type
        }
        return type
    }

    /// The media type when the extension or an earlier sniff tells it.
    func knownMediaType(of file: ContainedFile) -> String? {
        MediaTypeTable.type(forFileName: file.name) ?? self.sniffed.withLockedValue { $0[file.status.identity] }
    }
}
