/// One page of a file listing: filters, order, size and where to resume.
public struct FileListQuery: Sendable, Equatable {
    /// The orders a listing can have.
    public enum Sort: String, Sendable, CaseIterable {
        case createdAtAscending = "created_at"
        case createdAtDescending = "-created_at"
        case nameAscending = "name"
        case nameDescending = "-name"
        case sizeAscending = "size"
        case sizeDescending = "-size"

        /// Whether larger values come first.
        public var isDescending: Bool { self.rawValue.hasPrefix("-") }
    }

    /// At most this many items.
    public var limit: Int
    /// Only files of this owner (`nil`: every owner); set by `FilesService` from the principal.
    var owner: String?
    /// Only files of this owner, as asked (an admin's filter: a user's listing holds only their
    /// own files whatever it asks).
    public var ownedBy: String?
    /// Resume after this position (from the previous page's `next`).
    public var after: FileCursor?
    /// Only files whose name contains this text, its case ignored in every script.
    public var nameContains: String?
    /// Only files whose content type starts with this text.
    public var contentTypePrefix: String?
    /// Only files carrying this tag, its case ignored in every script (`Holiday` finds `holiday`).
    public var tag: String?
    /// Order of the items; ties are broken by id so that paging is stable.
    public var sort: Sort

    /// Creates a query.
    public init(
        limit: Int,
        after: FileCursor? = nil,
        nameContains: String? = nil,
        contentTypePrefix: String? = nil,
        tag: String? = nil,
        ownedBy: String? = nil,
        sort: Sort = .createdAtDescending
    ) {
        self.limit = limit
        self.after = after
        self.nameContains = nameContains
        self.contentTypePrefix = contentTypePrefix
        self.tag = tag
        self.ownedBy = ownedBy
        self.sort = sort
    }
}

/// One page of files and the cursor to the next, if there is one.
public struct FilePage: Sendable, Equatable {
    /// The files of this page, in the query's order.
    public var items: [FileRecord]
    /// Where the next page starts; `nil` on the last page.
    public var next: FileCursor?

    /// Creates a page.
    public init(items: [FileRecord], next: FileCursor?) {
        self.items = items
        self.next = next
    }
}
