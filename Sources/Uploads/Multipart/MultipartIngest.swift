public import NIOCore
public import Storage

/// Streams a form upload: each file part goes from the socket through the parser straight into
/// its own staged blob (hashed and counted in the same pass); text fields are collected.
///
/// Every limit is checked as bytes arrive. On any failure — a limit, malformed framing, a
/// disconnect, storage — every staged blob of the request is thrown away: a form upload is all
/// or nothing.
public struct MultipartIngest {
    /// One file part, staged.
    public struct File: Sendable {
        /// The staged bytes and their first bytes.
        public var upload: StagedUpload
        /// The stored name (sanitized).
        public var name: String
        /// The part's Content-Type, if the client gave one.
        public var declaredType: String?
    }

    /// What a form carried.
    public struct Form: Sendable {
        /// File parts, in order.
        public var files: [File] = []
        /// Text fields by name (the first of a repeated name).
        public var fields: [String: String] = [:]
    }

    /// Field names whose parts are files.
    public static let fileFields: Set<String> = ["file", "files"]

    let limits: UploadLimits
    let multipart: MultipartLimits
    let files: FilesService

    /// Creates an ingest for one request, staging into `files`.
    public init(limits: UploadLimits, multipart: MultipartLimits, files: FilesService) {
        self.limits = limits
        self.multipart = multipart
        self.files = files
    }

    /// Parses and stages a whole form body.
    public func receive<Body: AsyncSequence>(_ body: Body, boundary: String, declaredLength: Int64?) async throws -> Form
    where Body.Element == ByteBuffer {
        // The quota counts the files' bytes, not the form's boundaries and fields.
        var bodyLimits = self.limits
        bodyLimits.quotaLeft = nil
        var meter = try BodyMeter(declaredLength: declaredLength, limits: bodyLimits)
        var state = FormState(limits: self.multipart, quota: self.limits)
        do {
            var parser = MultipartParser(boundary: boundary, maxHeaderSize: self.multipart.maxPartHeaderSize)
            var events: [MultipartParser.Event] = []
            for try await buffer in body {
                try meter.count(buffer)
                try parser.feed(buffer, into: &events)
                for event in events { try await state.apply(event, files: self.files) }
                events.removeAll(keepingCapacity: true)
            }
            try parser.finish()
            try meter.finish()
            return state.form
        } catch {
            await state.discardAll(files: self.files)
            throw error
        }
    }
}

/// The form being received: finished files, collected fields and the part in progress.
private struct FormState {
    enum Part {
        case file(staging: any BlobStaging, headers: PartHeaders, size: Int64, head: HeadSample)
        case field(name: String, bytes: [UInt8])
        case ignored
    }

    let limits: MultipartLimits
    let quota: UploadLimits
    var form = MultipartIngest.Form()
    var current: Part?
    var fieldCount = 0
    var fileBytes: Int64 = 0

    init(limits: MultipartLimits, quota: UploadLimits) {
        self.limits = limits
        self.quota = quota
    }

    mutating func apply(_ event: MultipartParser.Event, files: FilesService) async throws {
        switch event {
        case .partStart(let headers):
            try await self.start(headers, files: files)
        case .body(let buffer):
            try await self.append(buffer)
        case .partEnd:
            try await self.finishPart()
        }
    }

    private mutating func start(_ headers: PartHeaders, files: FilesService) async throws {
        if MultipartIngest.fileFields.contains(headers.name) {
            guard self.form.files.count < self.limits.maxFiles else {
                throw UploadError(.tooMany, "The form has more than \(self.limits.maxFiles) files.")
            }
            self.current = .file(staging: try await files.stage(), headers: headers, size: 0, head: HeadSample())
        } else if headers.fileName == nil {
            self.fieldCount += 1
            guard self.fieldCount <= self.limits.maxFields else {
                throw UploadError(.tooMany, "The form has more than \(self.limits.maxFields) fields.")
            }
            self.current = .field(name: headers.name, bytes: [])
        } else {
            self.current = .ignored
        }
    }

    private mutating func append(_ buffer: ByteBuffer) async throws {
        switch self.current {
        case .file(let staging, let headers, var size, var head):
            size += Int64(buffer.readableBytes)
            guard size <= self.limits.maxFileSize else {
                throw UploadError(.tooLarge, "A file is larger than the limit of \(self.limits.maxFileSize) bytes.")
            }
            self.fileBytes += Int64(buffer.readableBytes)
            if self.quota.passesQuota(self.fileBytes) { throw self.quota.quotaError }
            head.append(buffer)
            self.current = .file(staging: staging, headers: headers, size: size, head: head)
            try await staging.write(buffer)
        case .field(let name, var bytes):
            guard bytes.count + buffer.readableBytes <= self.limits.maxFieldSize else {
                throw UploadError(.tooLarge, "The field '\(name)' is larger than the limit of \(self.limits.maxFieldSize) bytes.")
            }
            bytes += buffer.readableBytesView
            self.current = .field(name: name, bytes: bytes)
        case .ignored, nil:
            break
        }
    }

    private mutating func finishPart() async throws {
        switch self.current {
        case .file(let staging, let headers, let size, let head):
            self.current = nil
            // A browser sends a file input left empty as a part named "" with no bytes: no file
            // was chosen, as Django, Rack and PHP read it, rather than an empty file to store.
            if headers.fileName == "" && size == 0 {
                await staging.abort()
                return
            }
            do {
                let blob = try await staging.finish()
                self.form.files.append(
                    MultipartIngest.File(
                        upload: StagedUpload(blob: blob, head: head.bytes),
                        name: UploadedFileName.sanitize(headers.fileName),
                        declaredType: headers.contentType
                    )
                )
            } catch {
                await staging.abort()
                throw error
            }
        case .field(let name, let bytes):
            if self.form.fields[name] == nil { self.form.fields[name] = String(decoding: bytes, as: UTF8.self) }
            self.current = nil
        case .ignored, nil:
            self.current = nil
        }
    }

    func discardAll(files: FilesService) async {
        if case .file(let staging, _, _, _) = self.current { await staging.abort() }
        for file in self.form.files { await files.discard(file.upload.blob) }
    }
}
