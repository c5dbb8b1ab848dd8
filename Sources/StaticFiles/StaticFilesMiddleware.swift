import Compression
import FileResponses
import Glibc
import HTTPTypes
public import Hummingbird
public import MediaTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import NIOPosix
import Routing

/// Serves static mounts for GET and HEAD requests that no route answered.
///
/// `StaticPathResolver` decides which file a path names; `FileResponse` sends it (validators,
/// ranges, HEAD). Files are typed by extension, or sniffed once with libmagic when the extension is
/// unknown; textual types carry `charset=utf-8`; every response has `X-Content-Type-Options:
/// nosniff` and a `Cache-Control` from the policy.
public struct StaticFilesMiddleware<Context: RequestContext>: RouterMiddleware {
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

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch  where UnmatchedRoute.matches(error, context: context) {
            let path = request.uri.path
            if self.excludedPrefixes.contains(where: { path.hasPrefix($0) }) { throw error }
            for mount in self.mounts where mount.relativePath(request.uri.path[...]) != nil {
                if let response = try await self.serve(request, from: mount) {
                    context.coreContext.endpointPath.value = "static:" + (mount.prefix.isEmpty ? "/" : mount.prefix)
                    return response
                }
            }
            throw error
        }
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
        let path = file.path
        let name = String(path[path.index(after: path.lastIndex(of: "/")!)...])
        let mediaType = try await self.mediaType(of: file, name: name, in: mount.directory)
        // Precompressed sidecars (name.br, name.zst, name.gz) make the resource negotiable: every
        // answer then varies on Accept-Encoding, and each coding has its own validator.
        let sidecars = self.sidecars.codings(of: path, in: mount.directory)
        let negotiated = status == .ok ? ContentCoding.negotiate(request.headers[.acceptEncoding], available: sidecars) : nil
        // A sidecar removed since it was probed is not found here: the original is sent.
        let sidecar: (coding: ContentCoding, file: ContainedFile)? = negotiated.flatMap { coding in
            mount.directory.lookup(path + coding.fileSuffix).flatMap { $0.status.isRegular ? (coding, $0) : nil }
        }
        let coding = sidecar?.coding
        let served = sidecar?.file ?? file
        let cacheControl = self.cachePolicy.value(path: mount.urlPath(of: path), fileName: name, mediaType: mediaType)
        let identity = served.status.identity
        var small = self.smallFiles.lookup(served.path, identity: identity)
        if small == nil && served.status.size <= SmallFileCache.maxFileSize {
            guard let descriptor = mount.directory.openForReading(served.path) else { return nil }
            let cache = self.smallFiles
            small = try await NIOThreadPool.singleton.runIfActive {
                defer { close(descriptor) }
                return try cache.load(served.path, identity: identity, descriptor: descriptor)
            }
        }
        let hash =
            if let small { small.hash } else { try await self.hashes.hash(of: served.path, identity: identity, in: mount.directory) }
        // Compressible files without sidecars are gzipped on the fly (never for a range request,
        // a no-transform policy or a 404 page), so they are negotiable too.
        let onTheFly =
            sidecars.isEmpty && status == .ok && GzipEncoder.isCompressible(mediaType) && !cacheControl.contains("no-transform")
            && (GzipEncoder.minimumSize...GzipEncoder.maximumSize).contains(Int(served.status.size))
        let gzipped =
            onTheFly && request.headers[.range] == nil && ContentCoding.negotiate(request.headers[.acceptEncoding], available: [.gzip]) != nil
        let source: any ByteSource
        let entityTag: EntityTag
        if gzipped {
            let content = try await self.gzip(served, key: hash, content: small?.content, in: mount.directory)
            (source, entityTag) = (MemorySource(content), EntityTag(hash + "-gzip"))
        } else if let small {
            (source, entityTag) = (MemorySource(small.content), EntityTag(hash))
        } else {
            guard let descriptor = mount.directory.openForReading(served.path) else { return nil }
            (source, entityTag) = (LocalFileSource(descriptor: descriptor, size: served.status.size), EntityTag(hash))
        }
        let response = FileResponse(
            contentType: MediaTypeTable.headerValue(for: mediaType),
            entityTag: entityTag,
            lastModified: served.status.modifiedSeconds,
            disposition: nil,
            maxRanges: self.maxRanges
        )
        let head = status == .ok ? request.head : HTTPRequest(method: request.method, scheme: nil, authority: nil, path: "/")
        var answer: Response
        do {
            answer = try await response.response(to: head, streaming: source)
        } catch let refusal as FileResponseError {
            var headers: HTTPFields = [.cacheControl: cacheControl]
            if !sidecars.isEmpty || onTheFly { headers[.vary] = "Accept-Encoding" }
            throw refusal.adding(headers)
        }
        answer.status = status == .ok ? answer.status : status
        answer.headers[.cacheControl] = cacheControl
        if let coding { answer.headers[.contentEncoding] = coding.rawValue }
        if gzipped { answer.headers[.contentEncoding] = "gzip" }
        if !sidecars.isEmpty || onTheFly { answer.headers[.vary] = "Accept-Encoding" }
        if mount.htmlMode, let policy = self.htmlPolicy, mediaType == "text/html" { answer.headers[.contentSecurityPolicy] = policy }
        return answer
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

    func mediaType(of file: ContainedFile, name: String, in directory: MountDirectory) async throws -> String {
        if let known = MediaTypeTable.type(forFileName: name) { return known }
        let identity = file.status.identity
        if let cached = self.sniffed.withLockedValue({ $0[identity] }) { return cached }
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
}
