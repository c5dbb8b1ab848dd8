/// An upload that arrives in pieces over several requests (tus): what is known of it beside its
/// partial file. Kept as `info.json` in the upload's own directory, so it survives a restart.
public struct ResumableUpload: Sendable, Codable, Equatable {
    /// 22 URL-safe random characters.
    public let id: String
    /// The user who created it; no one else sees it.
    public let owner: String
    /// When the owner's account was made (`Principal.Account.createdAt`): a user deleted and made
    /// again under the same name is another account, which neither sees the upload nor has it
    /// counted against its quota. `nil` for a principal that is no account, and in records kept
    /// before accounts were told apart: the name alone decides.
    public let ownerAccount: Int64?
    /// Its total size; `nil` while the client defers it.
    public var length: Int64?
    /// The client's metadata, as it sent it (`Upload-Metadata`).
    public let metadata: String?
    /// When it was created and when it is removed if unfinished, in microseconds since 1970.
    public let createdAt: Int64
    public var expiresAt: Int64
    /// Whether it is a part of a concatenation, or the concatenation of others.
    public let concatenation: Concatenation?
    /// The file it became, once complete.
    public var fileID: String?
    /// Bytes received so far (the partial file's size; the length once it became a file).
    public var offset: Int64 = 0

    /// Its part in a concatenation (tus `Upload-Concat`).
    public enum Concatenation: Sendable, Codable, Equatable {
        /// A part, never a file by itself.
        case partial
        /// The concatenation of these uploads (ids), in order.
        case final([String])
    }

    enum CodingKeys: String, CodingKey {
        case id, owner, ownerAccount, length, metadata, createdAt, expiresAt, concatenation, fileID
    }

    /// Whether `principal` is the user who created it, as the same account.
    public func isOwned(by principal: Principal) -> Bool {
        self.owner == principal.name && (self.ownerAccount == nil || self.ownerAccount == principal.account?.createdAt)
    }

    /// Whether every byte has arrived.
    public var isComplete: Bool { self.length == self.offset }
}
