import FileResponses
import Foundation
import HTTPTypes
import Hummingbird
import Routing
import Storage
import TextBytes
import Uploads

/// Resumable uploads at `/api/uploads/`, in the tus 1.0.0 protocol (tus.io, as tusd serves it):
/// the core (HEAD for the offset, PATCH to append) and the extensions creation,
/// creation-with-upload, creation-defer-length, termination, checksum (sha1, md5, sha256),
/// expiration and concatenation. A complete upload becomes an ordinary file (`Wharf-File-URL`).
struct TusController: Sendable {
    let uploads: ResumableUploads
    let pipeline: UploadPipeline
    /// The largest upload accepted (`Tus-Max-Size`).
    let maxSize: Int64
    /// The most one request's piece may carry (`--max-upload-size`, every request body's limit):
    /// a larger upload comes in pieces.
    let maxPieceSize: Int64
    /// How long an upload may take before it is removed, in microseconds.
    let lifetime: Int64

    static let version = "1.0.0"
    static let extensions = "creation,creation-with-upload,creation-defer-length,termination,checksum,expiration,concatenation"
    static let offsetStream = "application/offset+octet-stream"
    /// How long a HEAD or a termination waits for a PATCH that holds the upload: a cut-off piece
    /// settles in milliseconds once the server sees its connection drop.
    static let settlePatience = Duration.seconds(2)
    /// The headers of its answers a tus client reads, which a page on another origin must be let see.
    static let answerHeaders: [HTTPField.Name] = [
        .location, .tusResumable, .tusVersion, .tusExtension, .tusMaxSize, .tusChecksumAlgorithm, .uploadOffset, .uploadLength,
        .uploadDeferLength, .uploadMetadata, .uploadExpires, .uploadConcat, .wharfFileURL,
    ]

    /// OPTIONS, open to anyone: what this server speaks (no credentials are needed to ask).
    func registerPublic(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/api/uploads", table: table)
            .on("", method: .options, self.options)
            .on("{id}", method: .options, self.options)
    }

    func register(on router: some RouterMethods<AppRequestContext>, table: RouteTable) {
        APIRouter(router, prefix: "/api/uploads", table: table)
            .on("", method: .post) { request, context in try await self.tus(request) { try await self.create(request, context) } }
            .on("{id}", method: .head) { request, context in try await self.tus(request) { try await self.head(request, context) } }
            .on("{id}", method: .patch) { request, context in try await self.tus(request) { try await self.patch(request, context) } }
            .on("{id}", method: .delete) { request, context in try await self.tus(request) { try await self.terminate(request, context) } }
            .on("{id}", method: .post) { request, context in try await self.tus(request) { try await self.overridden(request, context) } }
    }

    @Sendable func options(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(
            status: .noContent,
            headers: [
                .tusResumable: Self.version, .tusVersion: Self.version, .tusExtension: Self.extensions,
                .tusMaxSize: String(self.maxSize),
                .tusChecksumAlgorithm: ChunkChecksum.Algorithm.allCases.map(\.rawValue).joined(separator: ","),
            ]
        )
    }

    /// Checks `Tus-Resumable` (412 naming the version otherwise) and puts it on every answer,
    /// refusals included.
    func tus(_ request: Request, _ handler: () async throws -> Response) async throws -> Response {
        do {
            guard request.headers[.tusResumable] == Self.version else {
                throw HTTPException(
                    .preconditionFailed,
                    "This server speaks tus \(Self.version): send Tus-Resumable: \(Self.version).",
                    headers: [.tusVersion: Self.version]
                )
            }
            var response = try await handler()
            response.headers[.tusResumable] = Self.version
            return response
        } catch {
            guard let exception = (error as? HTTPException) ?? ErrorTranslation.exception(for: error) else { throw error }
            var headers = exception.headers
            headers[.tusResumable] = Self.version
            throw HTTPException(exception.status, detail: exception.detail, headers: headers)
        }
    }

    /// `POST /api/uploads/`: a new upload (`Upload-Length`, or `Upload-Defer-Length: 1`), with its
    /// first bytes when the body carries them; or, with `Upload-Concat: final;...`, the
    /// concatenation of finished partial uploads.
    func create(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let principal = try context.principal
        let metadata = request.headers[.uploadMetadata]
        // Refused before anything is stored: the file's description and tags come from it at the end.
        if let metadata { _ = try TusMetadata(parsing: metadata).descriptionAndTags() }
        let concat = request.headers[.uploadConcat]
        if let concat, concat.hasPrefix("final;") {
            return try await self.concatenate(concat, metadata: metadata, request, as: principal)
        }
        guard concat == nil || concat == "partial" else {
            throw HTTPException(.badRequest, "Upload-Concat must be 'partial' or 'final;' followed by the partial uploads' URLs.")
        }
        let length = try self.declaredLength(request)
        if let length, let left = try await self.quotaLeft(for: principal, besides: nil), length > left {
            throw HTTPException(.contentTooLarge, "The upload is \(length) bytes; your quota has \(max(0, left)) left.")
        }
        let carriesPiece = request.headers[.contentType] == Self.offsetStream
        // A first piece refused leaves no upload behind it.
        if carriesPiece { try self.requireRoom(forPiece: Self.declaredPieceSize(request), left: length ?? self.maxSize) }
        var upload = try await self.uploads.create(
            owner: principal,
            length: length,
            metadata: metadata,
            concatenation: concat == nil ? nil : .partial,
            lifetime: self.lifetime
        )
        var headers: HTTPFields = [.location: "/api/uploads/\(upload.id)", .uploadExpires: HTTPDate.format(upload.expiresAt / 1_000_000)]
        if carriesPiece {
            upload.offset = try await self.append(request, to: upload, at: 0, as: principal)
            headers[.uploadOffset] = String(upload.offset)
        }
        if let file = try await self.fileIfComplete(upload, as: principal) { headers[.wharfFileURL] = file }
        return Response(status: .created, headers: headers)
    }

    /// `HEAD /api/uploads/{id}`: where the upload stands; it keeps answering once it became a
    /// file, until it expires. While a PATCH holds it (one cut off is still settling) the answer
    /// waits for its end, up to `settlePatience`, then is 423.
    func head(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let upload = try await self.uploads.settledUpload(
            try context.parameters.decoded("id"),
            as: try context.principal,
            patience: Self.settlePatience
        )
        var headers: HTTPFields = [
            .uploadOffset: String(upload.offset), .cacheControl: "no-store",
            .uploadExpires: HTTPDate.format(upload.expiresAt / 1_000_000),
        ]
        if let length = upload.length { headers[.uploadLength] = String(length) } else { headers[.uploadDeferLength] = "1" }
        if let metadata = upload.metadata { headers[.uploadMetadata] = metadata }
        switch upload.concatenation {
        case .partial: headers[.uploadConcat] = "partial"
        case .final(let parts): headers[.uploadConcat] = "final;" + parts.map { "/api/uploads/" + $0 }.joined(separator: " ")
        case nil: break
        }
        if let file = upload.fileID.flatMap(FileID.init) { headers[.wharfFileURL] = FileRecordBody.location(file) }
        return Response(status: .ok, headers: headers)
    }

    /// `PATCH /api/uploads/{id}`: the body (`application/offset+octet-stream`) appended at
    /// `Upload-Offset`; 409 when that is not where the upload ends, 413 past its length, 460 when
    /// `Upload-Checksum` does not match (the piece is dropped), 423 while another PATCH runs.
    func patch(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard request.headers[.contentType] == Self.offsetStream else {
            throw HTTPException(.unsupportedMediaType, "A PATCH carries Content-Type: \(Self.offsetStream).")
        }
        let principal = try context.principal
        var upload = try self.uploads.upload(try context.parameters.decoded("id"), as: principal)
        if case .final = upload.concatenation {
            throw HTTPException(.forbidden, "A concatenation is made of its parts; it takes no bytes of its own.")
        }
        guard let text = request.headers[.uploadOffset], let offset = Int64(text), offset >= 0 else {
            throw HTTPException(.badRequest, "A PATCH names where its bytes go in Upload-Offset, a number of bytes.")
        }
        if let text = request.headers[.uploadLength] {
            guard let length = Int64(text), length >= upload.offset, length <= self.maxSize else {
                throw HTTPException(.badRequest, "Upload-Length must be a number of bytes from the offset to \(self.maxSize).")
            }
            if upload.length == nil {
                if let left = try await self.quotaLeft(for: principal, besides: upload.id), length > left {
                    throw HTTPException(.contentTooLarge, "The upload is \(length) bytes; your quota has \(max(0, left)) left.")
                }
                upload = try await self.uploads.declareLength(of: upload, length)
            } else if upload.length != length {
                throw HTTPException(.badRequest, "The upload's length is \(upload.length!) already.")
            }
        }
        var headers: HTTPFields = [.uploadExpires: HTTPDate.format(upload.expiresAt / 1_000_000)]
        if let file = upload.fileID {
            guard offset == upload.offset else {
                throw HTTPException(.conflict, "Upload-Offset is \(offset), but the upload is complete at \(upload.offset) bytes.")
            }
            guard (request.headers[.contentLength].flatMap { Int64($0) } ?? 0) == 0 else {
                throw HTTPException(.contentTooLarge, "The upload is complete; it takes no more bytes.")
            }
            headers[.uploadOffset] = String(upload.offset)
            headers[.wharfFileURL] = FileID(file).map(FileRecordBody.location)
            return Response(status: .noContent, headers: headers)
        }
        upload.offset = try await self.append(request, to: upload, at: offset, as: principal)
        headers[.uploadOffset] = String(upload.offset)
        if let file = try await self.fileIfComplete(upload, as: principal) { headers[.wharfFileURL] = file }
        return Response(status: .noContent, headers: headers)
    }

    /// `DELETE /api/uploads/{id}` (termination): the upload and its bytes are removed; 204. A PATCH
    /// that holds it (one its client just cut off to cancel) is waited for as HEAD waits, then 423.
    func terminate(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let upload = try self.uploads.upload(try context.parameters.decoded("id"), as: try context.principal)
        try await self.uploads.terminate(upload, patience: Self.settlePatience)
        return Response(status: .noContent)
    }

    /// `POST /api/uploads/{id}` with `X-HTTP-Method-Override`, for clients behind proxies that
    /// block PATCH and DELETE.
    func overridden(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        switch request.headers[.xHTTPMethodOverride]?.uppercased() {
        case "PATCH": try await self.patch(request, context)
        case "DELETE": try await self.terminate(request, context)
        case "HEAD": try await self.head(request, context)
        default:
            throw HTTPException(
                .methodNotAllowed,
                "POST here needs X-HTTP-Method-Override: PATCH, DELETE or HEAD.",
                headers: [.allow: "HEAD, PATCH, DELETE, OPTIONS"]
            )
        }
    }

    // MARK: Steps

    /// `Upload-Length` (at most `Tus-Max-Size`), or `nil` for `Upload-Defer-Length: 1`.
    func declaredLength(_ request: Request) throws -> Int64? {
        let length = request.headers[.uploadLength]
        let deferred = request.headers[.uploadDeferLength]
        switch (length, deferred) {
        case (let text?, nil):
            guard let length = Int64(text), length >= 0 else { throw HTTPException(.badRequest, "Upload-Length must be a number of bytes.") }
            guard length <= self.maxSize else {
                throw HTTPException(.contentTooLarge, "The upload is \(length) bytes; the most this server takes is \(self.maxSize).")
            }
            return length
        case (nil, "1"?): return nil
        case (nil, nil): throw HTTPException(.badRequest, "A new upload names its size in Upload-Length, or sends Upload-Defer-Length: 1.")
        default: throw HTTPException(.badRequest, "Send either Upload-Length or Upload-Defer-Length: 1, not both.")
        }
    }

    /// Appends the request's body at `offset`; the new offset. An upload that deferred its length
    /// takes no more than the principal's quota has left for it.
    func append(_ request: Request, to upload: ResumableUpload, at offset: Int64, as principal: Principal) async throws -> Int64 {
        let limit = (upload.length ?? self.maxSize) - offset
        let declared = Self.declaredPieceSize(request)
        try self.requireRoom(forPiece: declared, left: limit)
        let quotaLeft = upload.length == nil ? try await self.quotaLeft(for: principal, besides: upload.id).map { $0 - offset } : nil
        if let declared, let quotaLeft, declared > quotaLeft {
            throw HTTPException(.contentTooLarge, "The piece is \(declared) bytes; your quota has \(max(0, quotaLeft)) left.")
        }
        let piece = try await self.uploads.append(
            to: upload,
            at: offset,
            limit: min(limit, quotaLeft ?? .max, self.maxPieceSize),
            declared: declared,
            checksum: try self.checksum(request)
        )
        return try await ResumableIngest.append(request.body, to: piece)
    }

    /// The size of the piece a request carries, when it says.
    static func declaredPieceSize(_ request: Request) -> Int64? {
        request.headers[.contentLength].flatMap { Int64($0) }
    }

    /// Refuses, before a byte of it is read, a piece larger than one request may carry or than
    /// what the upload has `left`.
    func requireRoom(forPiece declared: Int64?, left: Int64) throws {
        guard let declared else { return }
        if declared > self.maxPieceSize {
            throw HTTPException(
                .contentTooLarge,
                "The piece is \(declared) bytes; one request carries at most \(self.maxPieceSize): send the upload in smaller pieces."
            )
        }
        if declared > left {
            throw HTTPException(.contentTooLarge, "The piece is \(declared) bytes; the upload has \(max(0, left)) left.")
        }
    }

    /// What the principal's quota has left (`nil`: no quota) once their files and their other
    /// unfinished uploads (`besides` this one) are counted.
    func quotaLeft(for principal: Principal, besides upload: String?) async throws -> Int64? {
        guard let left = try await self.pipeline.files.remainingQuota(of: principal) else { return nil }
        return left - (try await self.uploads.pendingBytes(of: principal, excluding: upload))
    }

    /// `Upload-Checksum: <algorithm> <base64 digest>`, if sent.
    func checksum(_ request: Request) throws -> ChunkChecksum? {
        guard let header = request.headers[.uploadChecksum] else { return nil }
        let parts = header.split(separator: " ")
        guard parts.count == 2, let algorithm = ChunkChecksum.Algorithm(rawValue: String(parts[0]).lowercased()) else {
            throw HTTPException(.badRequest, "Upload-Checksum names one of sha1, md5, sha256 and a base64 digest.")
        }
        guard let digest = Data(base64Encoded: String(parts[1])) else {
            throw HTTPException(.badRequest, "The Upload-Checksum digest is not base64.")
        }
        return ChunkChecksum(algorithm: algorithm, expected: digest)
    }

    /// Makes the file of an upload that is complete (a partial one waits for its concatenation);
    /// its URL. A file refused (type, quota) removes the upload.
    func fileIfComplete(_ upload: ResumableUpload, as principal: Principal) async throws -> String? {
        guard upload.isComplete, upload.concatenation != .partial else { return nil }
        let (blob, head) = try await self.uploads.staged(upload)
        let metadata = try upload.metadata.map { try TusMetadata(parsing: $0) }
        let record: FileRecord
        do {
            let (description, tags) = try metadata?.descriptionAndTags() ?? ("", [])
            record = try await self.pipeline.createFile(
                fromResumable: blob,
                head: head,
                clientName: metadata?.text("filename", "name"),
                declaredType: metadata?.text("filetype", "type"),
                description: description,
                tags: tags,
                as: principal
            )
        } catch {
            try? await self.uploads.remove(upload)
            throw error
        }
        _ = try await self.uploads.recordFile(record.id, of: upload)
        return FileRecordBody.location(record.id)
    }

    /// `Upload-Concat: final;<url> <url> ...`: the parts, the principal's finished partial
    /// uploads, joined in order into a new upload that becomes a file at once.
    func concatenate(_ header: String, metadata: String?, _ request: Request, as principal: Principal) async throws -> Response {
        guard request.headers[.uploadLength] == nil else {
            throw HTTPException(.badRequest, "A concatenation's length is its parts'; it sends no Upload-Length.")
        }
        let urls = header.dropFirst("final;".count).split(separator: " ")
        guard !urls.isEmpty else { throw HTTPException(.badRequest, "Upload-Concat: final; names the partial uploads to join.") }
        var parts: [ResumableUpload] = []
        for url in urls {
            let id = String(url.split(separator: "/").last ?? "")
            guard let part = try? self.uploads.upload(id, as: principal), part.concatenation == .partial, part.isComplete else {
                throw HTTPException(.badRequest, "'\(url)' is not a finished partial upload of yours.")
            }
            parts.append(part)
        }
        guard parts.reduce(0, { $0 + $1.offset }) <= self.maxSize else {
            throw HTTPException(.contentTooLarge, "The parts hold more than the \(self.maxSize) bytes this server takes.")
        }
        let upload = try await self.uploads.concatenate(parts, owner: principal, metadata: metadata, lifetime: self.lifetime)
        var headers: HTTPFields = [.location: "/api/uploads/\(upload.id)", .uploadExpires: HTTPDate.format(upload.expiresAt / 1_000_000)]
        if let file = try await self.fileIfComplete(upload, as: principal) { headers[.wharfFileURL] = file }
        for part in parts { try? await self.uploads.remove(part) }
        return Response(status: .created, headers: headers)
    }
}

extension HTTPField.Name {
    static let tusResumable = Self("Tus-Resumable")!
    static let tusVersion = Self("Tus-Version")!
    static let tusExtension = Self("Tus-Extension")!
    static let tusMaxSize = Self("Tus-Max-Size")!
    static let tusChecksumAlgorithm = Self("Tus-Checksum-Algorithm")!
    static let uploadOffset = Self("Upload-Offset")!
    static let uploadLength = Self("Upload-Length")!
    static let uploadDeferLength = Self("Upload-Defer-Length")!
    static let uploadMetadata = Self("Upload-Metadata")!
    static let uploadExpires = Self("Upload-Expires")!
    static let uploadConcat = Self("Upload-Concat")!
    static let uploadChecksum = Self("Upload-Checksum")!
    static let wharfFileURL = Self("Wharf-File-URL")!
    static let xHTTPMethodOverride = Self("X-HTTP-Method-Override")!
}
