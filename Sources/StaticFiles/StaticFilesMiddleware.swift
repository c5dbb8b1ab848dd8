import Compression
public import FileResponses
import Glibc
public import HTTPTypes
public import Hummingbird
public import MediaTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import NIOPosix

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
    let gzip = GzipEncoder()
    let smallFiles = SmallFileCache()

    /// Serves `mounts`, the longest matching prefix first; paths under `excludedPrefixes` (the
    /// API's) are never looked up, so they keep their JSON 404.
    public init(mounts: [StaticMount], cachePolicy: CachePolicy, sniffer: ContentSniffer, maxRanges: Int = 16, excludedPrefixes: [String] = []) {
        self.mounts = mounts.sorted { $0.prefix.count > $1.prefix.count }
        self.excludedPrefixes = excludedPrefixes
        self.cachePolicy = cachePolicy
        self.sniffer = sniffer
        self.maxRanges = maxRanges
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && context.endpointPath == "NotFound" {
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
        case .file(let path):
            return try await self.send(path, root: mount.root, request: request, status: .ok)
        case .redirect(let location):
            let query = request.uri.query.map { "?" + $0 } ?? ""
            return Response(status: .permanentRedirect, headers: [.location: location + query, .contentLength: "0"])
        case .directory(let path):
            if mount.htmlMode, let index = RealPath.resolve(path + "/index.html"), RealPath.isContained(index, in: mount.root) {
                return try await self.send(index, root: mount.root, request: request, status: .ok)
            }
            if mount.browse { return try Self.listing(path, mount: mount, request: request) }
            return try await self.missing(request, mount: mount)
        case .notFound:
            return try await self.missing(request, mount: mount)
        case .malformed:
            throw HTTPError(.badRequest, message: "The path is not valid percent-encoded UTF-8.")
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
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        let response = Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        return request.method == .head ? response.createHeadResponse() : response
    }

    /// The SPA fallback (index with 200 for requests that accept HTML), else the mount's 404.html.
    func missing(_ request: Request, mount: StaticMount) async throws -> Response? {
        guard mount.htmlMode else { return nil }
        if mount.spaFallback, request.headers[.accept]?.contains("text/html") == true, let index = RealPath.resolve(mount.root + "/index.html") {
            return try await self.send(index, root: mount.root, request: request, status: .ok)
        }
        if let page = RealPath.resolve(mount.root + "/404.html"), RealPath.isContained(page, in: mount.root) {
            return try await self.send(page, root: mount.root, request: request, status: .notFound)
        }
        return nil
    }

    func send(_ path: String, root: String, request: Request, status: HTTPResponse.Status) async throws -> Response? {
        guard var fileStatus = FileStatus(path), fileStatus.isRegular else { return nil }
        let name = String(path[path.index(after: path.lastIndex(of: "/")!)...])
        let mediaType = try await self.mediaType(of: path, name: name, identity: fileStatus.identity)
        // Precompressed sidecars (name.br, name.zst, name.gz) make the resource negotiable: every
        // answer then varies on Accept-Encoding, and each coding has its own validator.
        let sidecars = ContentCoding.allCases.filter { coding in
            guard let real = RealPath.resolve(path + coding.fileSuffix), RealPath.isContained(real, in: root) else { return false }
            return FileStatus(real)?.isRegular == true
        }
        let coding = status == .ok ? ContentCoding.negotiate(request.headers[.acceptEncoding], available: sidecars) : nil
        let servedPath = coding.map { path + $0.fileSuffix } ?? path
        if coding != nil {
            guard let sidecar = FileStatus(servedPath) else { return nil }
            fileStatus = sidecar
        }
        let cacheControl = self.cachePolicy.value(fileName: name, mediaType: mediaType)
        let identity = fileStatus.identity
        var small = self.smallFiles.lookup(servedPath, identity: identity)
        if small == nil && fileStatus.size <= SmallFileCache.maxFileSize {
            let cache = self.smallFiles
            small = try await NIOThreadPool.singleton.runIfActive { try cache.load(servedPath, identity: identity) }
        }
        let hash = if let small { small.hash } else { try await self.hashes.hash(of: servedPath, identity: identity) }
        // Compressible files without sidecars are gzipped on the fly (never for a range request,
        // a no-transform policy or a 404 page), so they are negotiable too.
        let onTheFly =
            sidecars.isEmpty && status == .ok && GzipEncoder.isCompressible(mediaType) && !cacheControl.contains("no-transform")
            && (GzipEncoder.minimumSize...GzipEncoder.maximumSize).contains(Int(fileStatus.size))
        let gzipped =
            onTheFly && request.headers[.range] == nil && ContentCoding.negotiate(request.headers[.acceptEncoding], available: [.gzip]) != nil
        let source: any ByteSource
        let entityTag: EntityTag
        if gzipped {
            let content = try await self.gzip(file: servedPath, key: hash, content: small?.content)
            (source, entityTag) = (MemorySource(content), EntityTag(hash + "-gzip"))
        } else if let small {
            (source, entityTag) = (MemorySource(small.content), EntityTag(hash))
        } else {
            guard let local = try await LocalFileSource.open(path: servedPath) else { return nil }
            (source, entityTag) = (local, EntityTag(hash))
        }
        let file = FileResponse(
            contentType: MediaTypeTable.headerValue(for: mediaType),
            entityTag: entityTag,
            lastModified: fileStatus.modifiedSeconds,
            disposition: nil,
            maxRanges: self.maxRanges
        )
        let head = status == .ok ? request.head : HTTPRequest(method: request.method, scheme: nil, authority: nil, path: "/")
        var response = try await file.response(to: head, streaming: source)
        response.status = status == .ok ? response.status : status
        response.headers[.cacheControl] = cacheControl
        if let coding { response.headers[.contentEncoding] = coding.rawValue }
        if gzipped { response.headers[.contentEncoding] = "gzip" }
        if !sidecars.isEmpty || onTheFly { response.headers[.vary] = "Accept-Encoding" }
        return response
    }

    /// The gzip of a whole file (at most `GzipEncoder.maximumSize`), cached under its validator.
    func gzip(file path: String, key: String, content cached: ByteBuffer?) async throws -> ByteBuffer {
        let content: ByteBuffer
        if let cached {
            content = cached
        } else {
            guard let source = try await LocalFileSource.open(path: path) else { throw StaticFileError.unreadable }
            content = try await source.read(offset: 0, length: Int(source.size))
            try await source.close()
        }
        let encoder = self.gzip
        return try await NIOThreadPool.singleton.runIfActive { try encoder.gzip(content, key: key) }
    }

    func mediaType(of path: String, name: String, identity: ContentHashCache.Identity) async throws -> String {
        if let known = MediaTypeTable.type(forFileName: name) { return known }
        if let cached = self.sniffed.withLockedValue({ $0[identity] }) { return cached }
        var sample = [UInt8](repeating: 0, count: ContentSniffer.sampleSize)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "application/octet-stream" }
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
