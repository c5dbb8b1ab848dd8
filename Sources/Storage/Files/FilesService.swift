import Glibc

/// The one door to stored files: what the HTTP layer, the upload pipeline and the command line
/// see of storage. Its blob store and catalog are private parts.
///
/// It keeps the two consistent. Records are committed only after their blob is durable (stage,
/// store the blob, commit the record; blobs this call stored are removed again when the commit
/// fails); a blob is removed when its last record goes. The check-and-remove of a blob and the
/// store-and-record of an upload with the same digest hold the same lock, so an upload can never
/// record a blob that a concurrent delete is about to remove. (One process owns a local store; a
/// shared backend will need the same guarantee from its database.)
///
/// Every change is one `UnitOfWork`, committed in one transaction; after the commit, never inside
/// it, `afterCommit` hears what changed. Every operation names the acting `Principal`, so that
/// ownership has one place to live.
public struct FilesService: Sendable {
    private let blobs: any BlobStore
    private let catalog: any Catalog
    private let afterCommit: @Sendable ([FileChange]) -> Void
    private let jobsFor: JobsForContent
    private let locks: KeyedLock<BlobDigest>

    /// The jobs that new content of a type and digest calls for (thumbnails of an image, say).
    public typealias JobsForContent = @Sendable (_ contentType: String, _ digest: BlobDigest) -> [JobRequest]

    /// Composes a blob store and a catalog; `afterCommit` runs after each committed unit of work.
    public init(blobs: any BlobStore, catalog: any Catalog, afterCommit: @escaping @Sendable ([FileChange]) -> Void = { _ in }) {
        self.init(blobs: blobs, catalog: catalog, afterCommit: afterCommit, jobsFor: { _, _ in [] }, locks: KeyedLock())
    }

    private init(
        blobs: any BlobStore,
        catalog: any Catalog,
        afterCommit: @escaping @Sendable ([FileChange]) -> Void,
        jobsFor: @escaping JobsForContent,
        locks: KeyedLock<BlobDigest>
    ) {
        self.blobs = blobs
        self.catalog = catalog
        self.afterCommit = afterCommit
        self.jobsFor = jobsFor
        self.locks = locks
    }

    /// The same storage, and the same locks, enqueuing the jobs `jobsFor` names for new content in
    /// the unit of work that records it: a committed file never misses its jobs, and an upload
    /// that is rolled back has none.
    public func enqueuing(_ jobsFor: @escaping JobsForContent) -> FilesService {
        FilesService(blobs: self.blobs, catalog: self.catalog, afterCommit: self.afterCommit, jobsFor: jobsFor, locks: self.locks)
    }

    /// The same storage, and the same locks, with another post-commit hook (App adds its own when
    /// it assembles).
    public func observed(by afterCommit: @escaping @Sendable ([FileChange]) -> Void) -> FilesService {
        let previous = self.afterCommit
        return FilesService(
            blobs: self.blobs,
            catalog: self.catalog,
            afterCommit: { changes in
                previous(changes)
                afterCommit(changes)
            },
            jobsFor: self.jobsFor,
            locks: self.locks
        )
    }

    // MARK: Bytes

    /// Starts staging new bytes, `expectedSize` of them when their length is declared; finish them
    /// and pass them to `create` or `replaceContent`, or discard them.
    public func stage(expectedSize: Int64? = nil) async throws -> any BlobStaging {
        try await self.blobs.stage(expectedSize: expectedSize)
    }

    /// Throws away staged bytes that were not stored.
    public func discard(_ staged: StagedBlob) async {
        await self.blobs.discard(staged)
    }

    /// Opens the content of a file the principal may read. A content the last scrub found corrupt
    /// is refused unless `servingCorrupt` (the caller then says so to whoever gets the bytes);
    /// a missing one always is.
    public func openContent(of id: FileID, as principal: Principal, servingCorrupt: Bool = false) async throws -> (FileRecord, any BlobReader) {
        let record = try await self.file(id, as: principal)
        return (record, try await self.openChecked(record, servingCorrupt: servingCorrupt))
    }

    /// Opens a record's content as `openContent` says: never bytes a scrub found bad as if they were fine.
    private func openChecked(_ record: FileRecord, servingCorrupt: Bool) async throws -> any BlobReader {
        switch record.integrity?.check {
        case .corrupt where !servingCorrupt: throw StorageError.contentCorrupt(checkedAt: record.integrity!.verifiedAt)
        case .missing: throw StorageError.contentMissing(checkedAt: record.integrity!.verifiedAt)
        default: return try await self.blobs.open(record.digest)
        }
    }

    // MARK: Records

    /// The file with this id; `notFound` when there is none the principal may see.
    public func file(_ id: FileID, as principal: Principal) async throws -> FileRecord {
        guard let record = try await self.catalog.file(id: id), principal.mayAccess(record) else {
            throw StorageError.fileNotFound(id.rawValue)
        }
        return record
    }

    /// One page of the files the principal may see.
    public func list(_ query: FileListQuery, as principal: Principal) async throws -> FilePage {
        var query = query
        query.owner = principal.ownerScope
        return try await self.catalog.list(query)
    }

    /// Stores staged blobs and records a new file for each, all or none: if any blob cannot be
    /// stored or the records cannot be committed, the blobs this call stored are removed again.
    public func create(_ files: [NewFile], as principal: Principal) async throws -> [FileRecord] {
        let now = Self.now()
        let unit = UnitOfWork(
            files.map { file in
                .insert(
                    FileRecord(
                        id: .random(),
                        owner: principal.name,
                        name: file.metadata.name,
                        size: file.staged.size,
                        contentType: file.contentType,
                        declaredContentType: file.declaredContentType,
                        digest: file.staged.digest,
                        description: file.metadata.description,
                        tags: file.metadata.tags,
                        createdAt: now,
                        updatedAt: now
                    )
                )
            } + self.jobs(files.map { ($0.contentType, $0.staged.digest) }, at: now) + Self.ownerCheck(principal)
        )
        return try await self.storeAndCommit(files.map(\.staged), unit).map(\.record)
    }

    /// Changes some of a file's metadata; with `expected`, only while the record is still the
    /// version of that `updatedAt` (`changed` otherwise), as checked in the same transaction.
    public func updateMetadata(
        of id: FileID,
        _ change: MetadataChange,
        as principal: Principal,
        expecting expected: Int64? = nil
    ) async throws -> FileRecord {
        let update = UnitOfWork.Write.updateMetadata(id, change, at: Self.now(), ownedBy: principal.ownerScope)
        return try await self.commit(UnitOfWork(Self.versionCheck(of: id, expected) + [update]))[0].record
    }

    /// The check that a unit changes the version of a record a precondition was judged on.
    private static func versionCheck(of id: FileID, _ expected: Int64?) -> [UnitOfWork.Write] {
        expected.map { [.requireVersion(of: id, updatedAt: $0)] } ?? []
    }

    /// Points an existing file at new staged content and releases the old content; with
    /// `expected`, only while its content is still that one (`changed` otherwise), as checked in
    /// the same transaction.
    public func replaceContent(
        of id: FileID,
        with content: NewContent,
        as principal: Principal,
        expecting expected: BlobDigest? = nil
    ) async throws -> FileRecord {
        let change = ContentChange(
            digest: content.staged.digest,
            size: content.staged.size,
            contentType: content.contentType,
            declaredContentType: content.declaredContentType
        )
        let changes = try await self.storeAndCommit(
            [content.staged],
            UnitOfWork(
                (expected.map { [.requireContent(of: id, digest: $0)] } ?? [])
                    + [.replaceContent(id, change, at: Self.now(), ownedBy: principal.ownerScope)]
                    + self.jobs([(change.contentType, change.digest)], at: Self.now()) + Self.replacementCheck(of: id, by: principal)
            )
        )
        guard case .updated(let record, let before) = changes[0] else { return changes[0].record }
        if before.digest != record.digest { try await self.release(before.digest) }
        return record
    }

    /// The enqueue writes for new contents, each job once.
    func jobs(_ contents: [(contentType: String, digest: BlobDigest)], at time: Int64) -> [UnitOfWork.Write] {
        var seen = Set<JobRequest>()
        return contents.flatMap { self.jobsFor($0.contentType, $0.digest) }.filter { seen.insert($0).inserted }.map { .enqueue($0, at: time) }
    }

    /// The check that ends a unit writing the principal's files: an account must still be the
    /// one that asked, within its quota as it is when the unit commits; another principal within
    /// its own quota, if it has one.
    static func ownerCheck(_ principal: Principal) -> [UnitOfWork.Write] {
        if let account = principal.account {
            return [
                .requireAccount(principal.name, createdAt: account.createdAt),
                .enforceUserQuota(principal.name, defaultQuota: account.defaultQuota),
            ]
        }
        return principal.quota.map { [.enforceQuota(owner: principal.name, limit: $0)] } ?? []
    }

    /// The check that ends a unit giving file `id` new content: as `ownerCheck`, but an admin's
    /// content, which may be for anyone's file, counts against the quota of the file's owner as
    /// it is when the unit commits.
    static func replacementCheck(of id: FileID, by principal: Principal) -> [UnitOfWork.Write] {
        guard principal.isAdmin, let account = principal.account else { return Self.ownerCheck(principal) }
        return [
            .requireAccount(principal.name, createdAt: account.createdAt),
            .enforceOwnerQuota(of: id, defaultQuota: account.defaultQuota, askedBy: principal.name),
        ]
    }

    /// The bytes the principal's own files hold, each stored content counted once, as their
    /// quota counts them.
    public func usage(of principal: Principal) async throws -> Int64 {
        try await self.catalog.usage(of: principal.name)
    }

    /// How many more bytes the principal's files may hold (`nil`: no limit); what an upload may
    /// stream before it is refused. The commit checks again, exactly, counting shared content once.
    public func remainingQuota(of principal: Principal) async throws -> Int64? {
        guard let quota = principal.quota else { return nil }
        return max(0, quota - (try await self.usage(of: principal)))
    }

    /// How many bytes new content of `record` may hold by its owner's quota (`nil`: no limit),
    /// what it frees counted as free; what a replacement may stream before it is refused. The
    /// commit checks again, exactly.
    public func roomForContent(of record: FileRecord, as principal: Principal) async throws -> Int64? {
        let left: Int64?
        if record.owner == principal.name {
            left = try await self.remainingQuota(of: principal)
        } else {
            left = try await self.catalog.remainingQuota(ofUser: record.owner, defaultQuota: principal.account?.defaultQuota)
        }
        return left.map { $0 + record.size }
    }

    /// Removes a file's record, and its blob when no other file shares it.
    /// With `expected`, only while the record is still the version of that `updatedAt`.
    @discardableResult
    public func delete(_ id: FileID, as principal: Principal, expecting expected: Int64? = nil) async throws -> FileRecord {
        let record = try await self.commit(UnitOfWork(Self.versionCheck(of: id, expected) + [.delete(id, ownedBy: principal.ownerScope)]))[0]
            .record
        try await self.release(record.digest)
        return record
    }

    // MARK: Renditions

    /// Where the bytes of `digest` can be read as a local file, for libraries that want a path;
    /// `nil` when the store keeps blobs elsewhere.
    public func localPath(of digest: BlobDigest) -> String? {
        self.blobs.localPath(of: digest)
    }

    /// The rendition `name` of a blob (a thumbnail), if it has been made: a local path.
    public func rendition(of digest: BlobDigest, named name: String) -> String? {
        self.blobs.rendition(of: digest, named: name)
    }

    /// Makes a rendition of a blob: `write` writes it at the path it is given (in the staging
    /// area, swept after a crash), then it is moved into place, shared by every file of the blob
    /// and removed with it. Nothing is kept when `write` throws.
    public func makeRendition(of digest: BlobDigest, named name: String, _ write: (String) async throws -> Void) async throws {
        let staged = self.blobs.renditionStagingPath()
        do {
            try await write(staged)
            try await self.blobs.storeRendition(staged, of: digest, named: name)
        } catch {
            try? SystemFile.unlink(staged)
            throw error
        }
    }

    // MARK: Share links

    /// A new link to a file the principal may see, valid for `lifetime` microseconds and at most
    /// `maxDownloads` downloads when given.
    public func createLink(to id: FileID, lifetime: Int64, maxDownloads: Int?, as principal: Principal) async throws -> ShareLink {
        _ = try await self.file(id, as: principal)
        let now = Self.now()
        let link = ShareLink(
            token: RandomIdentifier.make(),
            fileID: id,
            createdAt: now,
            expiresAt: now + lifetime,
            maxDownloads: maxDownloads,
            downloads: 0
        )
        try await self.catalog.addLink(link)
        return link
    }

    /// The links of a file the principal may see, oldest first.
    public func links(to id: FileID, as principal: Principal) async throws -> [ShareLink] {
        _ = try await self.file(id, as: principal)
        return try await self.catalog.links(of: id)
    }

    /// Revokes a link to a file the principal may see; another's link is not found.
    public func revokeLink(_ token: String, as principal: Principal) async throws {
        guard let link = try await self.catalog.link(token) else { throw StorageError.linkNotFound }
        do {
            _ = try await self.file(link.fileID, as: principal)
        } catch let error as StorageError where error.code == .notFound {
            throw StorageError.linkNotFound
        }
        try await self.catalog.deleteLink(token)
    }

    /// The file a link names, for anyone who holds the link: `notFound` for no such link, `gone`
    /// when it has expired or served its most downloads. Opening counts nothing: an answer that
    /// sends the bytes claims its download (`claimDownload`).
    public func openShared(_ token: String, servingCorrupt: Bool = false) async throws -> (FileRecord, any BlobReader) {
        guard let link = try await self.catalog.link(token) else { throw StorageError.linkNotFound }
        try link.checkUsable(at: Self.now())
        guard let record = try await self.catalog.file(id: link.fileID) else { throw StorageError.linkNotFound }
        return (record, try await self.openChecked(record, servingCorrupt: servingCorrupt))
    }

    /// Counts a download of the link against its limit, in one transaction with the check that it
    /// is still usable: of two downloads racing for its last one, the second is `gone`.
    public func claimDownload(_ token: String) async throws {
        _ = try await self.catalog.claimDownload(token, at: Self.now())
    }

    /// Gives back the download of an answer cut off before its end (its client has not got the
    /// file, and resumes it with a range that is a download of its own), so that a broken
    /// connection does not use a link up.
    public func returnDownload(_ token: String) async throws {
        try await self.catalog.returnDownload(token)
    }

    // MARK: Operations

    /// Checks that the metadata database answers.
    public func checkDatabase() async throws {
        try await self.catalog.ping()
    }

    /// Checks that new bytes can be written now.
    public func checkWritable() async throws {
        try await self.blobs.checkWritable()
    }

    // MARK: Private

    private func commit(_ unit: UnitOfWork) async throws -> [FileChange] {
        let changes = try await self.catalog.commit(unit)
        self.afterCommit(changes)
        return changes
    }

    private func storeAndCommit(_ staged: [StagedBlob], _ unit: UnitOfWork) async throws -> [FileChange] {
        let changes = try await self.locks.withLocks(staged.map(\.digest)) {
            var stored: [BlobDigest] = []
            do {
                for blob in staged {
                    // Bytes that hash to a content a scrub found corrupt or missing take its place:
                    // uploading the file again repairs it.
                    if let damage = try await self.catalog.integrity(of: blob.digest), damage.check != .intact {
                        try await self.blobs.repair(with: blob)
                        try await self.catalog.forgetIntegrity(of: blob.digest)
                    } else if try await self.blobs.store(blob) {
                        stored.append(blob.digest)
                    }
                }
                return try await self.catalog.commit(unit)
            } catch {
                for digest in stored { try? await self.blobs.remove(digest) }
                throw error
            }
        }
        self.afterCommit(changes)
        return changes
    }

    private func release(_ digest: BlobDigest) async throws {
        try await self.locks.withLocks([digest]) {
            if try await self.catalog.referenceCount(of: digest) == 0 {
                try await self.blobs.remove(digest)
                try await self.catalog.forgetIntegrity(of: digest)
            }
        }
    }

    /// Reads every stored content again and compares it with its SHA-256, and removes blobs that
    /// no record references once they are older than `orphanGrace` seconds (a crash between a
    /// blob's rename and its record's commit leaves one; an upload in flight is younger).
    public func scrub(orphanGrace: Int64) async throws -> ScrubReport {
        var report = ScrubReport()
        let referenced = try await self.catalog.digests()
        for digest in referenced {
            report.checked += 1
            // Under the blob's lock: an upload of the same bytes may be putting good ones in place
            // of corrupt ones, and a finding about the bytes it replaced must not stick to them.
            let check = try await self.locks.withLocks([digest]) {
                let check = try await self.blobs.check(digest)
                try await self.catalog.recordCheck(check, of: digest, at: Self.now())
                return check
            }
            switch check {
            case .intact: break
            case .corrupt: report.corrupt.append(digest)
            case .missing: report.missing.append(digest)
            }
        }
        let known = Set(referenced)
        for blob in try await self.blobs.storedBlobs() where !known.contains(blob.digest) && blob.age >= orphanGrace {
            // Checked again under the blob's lock: an upload of the same bytes may just have recorded it.
            let removed = try await self.locks.withLocks([blob.digest]) {
                guard try await self.catalog.referenceCount(of: blob.digest) == 0 else { return false }
                try await self.blobs.remove(blob.digest)
                try await self.catalog.forgetIntegrity(of: blob.digest)
                return true
            }
            if removed { report.orphansRemoved += 1 }
        }
        return report
    }

    /// Now, in microseconds since 1970 (UTC), the unit of every catalog time.
    static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }
}
