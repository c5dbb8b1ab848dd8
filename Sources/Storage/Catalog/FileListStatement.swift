import Foundation
import GRDB

/// The SQL of one listing page: filters, then keyset paging on (sort column, id).
///
/// One more row than the limit is fetched, to learn whether a next page exists.
struct FileListStatement {
    let sql: String
    let arguments: StatementArguments

    /// Where a page's files are read from: one filter's index when few files pass it, whatever
    /// the listing's size (they are then sorted, a few ms); else the listing's order, each file
    /// checked against the filters, which finds a page soon when many pass.
    enum Driver {
        /// The tag's rows of `file_tags` (one row per tag of a file, folded).
        case tagRows
        /// The owner's files of the content types asked, from `files_by_owner_type`.
        case ownersTypes
        /// The index of the listing's order.
        case listingOrder
    }

    /// Up to this many files passing a filter are read from its index and sorted; past it, one
    /// file in every `files / fewFiles` at least passes, so that following the listing's order
    /// finds a page of 50 within a hundredth of the files (10,000 of a million).
    static let fewFiles = 5_000

    /// The driver of `query`, chosen by counting what its filters' indexes hold (no further than
    /// `fewFiles`): its tag's files, else its owner's files of the type asked.
    static func driver(for query: FileListQuery, in db: Database) throws -> Driver {
        let owners = Self.owners(of: query)
        if let tag = query.tag {
            let sql = "SELECT 1 FROM file_tags WHERE tag = ?" + String(repeating: " AND owner = ?", count: owners.count)
            if try Self.fewRows(sql, [Self.fold(tag)] + owners, in: db) { return .tagRows }
        }
        if let prefix = query.contentTypePrefix, !owners.isEmpty {
            let sql =
                "SELECT 1 FROM files INDEXED BY files_by_owner_type WHERE "
                + Array(repeating: "owner = ?", count: owners.count).joined(separator: " AND ")
                + " AND content_type >= ? AND content_type < ?"
            if try Self.fewRows(sql, owners + Self.typeRange(prefix), in: db) { return .ownersTypes }
        }
        return .listingOrder
    }

    /// Whether `sql` gives `fewFiles` rows or fewer.
    private static func fewRows(_ sql: String, _ arguments: [String], in db: Database) throws -> Bool {
        let statement = try db.cachedStatement(sql: "SELECT count(*) FROM (\(sql) LIMIT \(Self.fewFiles + 1))")
        return try Int.fetchOne(statement, arguments: StatementArguments(arguments)) ?? 0 <= Self.fewFiles
    }

    /// The bounds of the content types that start with `prefix`, for an index's range: every type
    /// Wharf stores is ASCII, so each that starts with it sorts below it followed by U+10FFFF.
    private static func typeRange(_ prefix: String) -> [String] {
        [prefix, prefix + "\u{10FFFF}"]
    }

    /// The owners a listing is held to: both when both are set (a user asking for another's
    /// files finds none).
    private static func owners(of query: FileListQuery) -> [String] {
        [query.owner, query.ownedBy].compactMap(\.self)
    }

    init(_ query: FileListQuery, driver: Driver = .listingOrder) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        var source = "files"
        for owner in Self.owners(of: query) {
            conditions.append("files.owner = ?")
            _ = arguments.append(contentsOf: [owner])
        }
        if let text = query.nameContains {
            if Self.isASCII(text) {
                // ASCII text finds the same names through LIKE, which folds ASCII case, about ten
                // times faster than `fold` called on every name (0.07 against 0.7–0.9 s for 100,000).
                conditions.append("name LIKE ? ESCAPE '\\'")
                _ = arguments.append(contentsOf: ["%" + Self.escapeLike(text) + "%"])
            } else {
                conditions.append("instr(\(Self.folded.name)(name), ?) > 0")
                _ = arguments.append(contentsOf: [Self.fold(text)])
            }
        }
        if let prefix = query.contentTypePrefix {
            conditions.append("content_type LIKE ? ESCAPE '\\'")
            _ = arguments.append(contentsOf: [Self.escapeLike(prefix) + "%"])
            if driver == .ownersTypes {
                source = "files INDEXED BY files_by_owner_type"
                conditions.append("content_type >= ? AND content_type < ?")
                _ = arguments.append(contentsOf: StatementArguments(Self.typeRange(prefix)))
            }
        }
        if let tag = query.tag {
            if driver == .tagRows {
                // SQLite keeps the order of a CROSS JOIN: the tag's rows first, whatever it guesses.
                source = "file_tags CROSS JOIN files ON files.id = file_tags.file_id"
                conditions.append("file_tags.tag = ?")
                _ = arguments.append(contentsOf: [Self.fold(tag)])
                for owner in Self.owners(of: query) {
                    conditions.append("file_tags.owner = ?")
                    _ = arguments.append(contentsOf: [owner])
                }
            } else {
                conditions.append("EXISTS (SELECT 1 FROM file_tags WHERE tag = ? AND owner = files.owner AND file_id = files.id)")
                _ = arguments.append(contentsOf: [Self.fold(tag)])
            }
        }
        let key = Self.key(of: query.sort)
        let comparison = query.sort.isDescending ? "<" : ">"
        if let cursor = query.after {
            conditions.append("(\(key) \(comparison) ? OR (\(key) = ? AND files.id \(comparison) ?))")
            let value: any DatabaseValueConvertible
            switch cursor.key {
            case .text(let text): value = text
            case .number(let number): value = number
            }
            _ = arguments.append(contentsOf: [value, value, cursor.id.rawValue])
        }
        let direction = query.sort.isDescending ? "DESC" : "ASC"
        var sql = FileRow.selectWithIntegrity(from: source)
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY \(key) \(direction), files.id \(direction) LIMIT ?"
        _ = arguments.append(contentsOf: [query.limit + 1])
        self.sql = sql
        self.arguments = arguments
    }

    /// What a sort orders by: names as people sort them, `apple`, `Banana`, `cherry` (ASCII
    /// letters ignoring case, as the index `files_by_name_ignoring_case` holds them).
    static func key(of sort: FileListQuery.Sort) -> String {
        switch sort {
        case .createdAtAscending, .createdAtDescending: "files.created_at"
        case .nameAscending, .nameDescending: "files.name COLLATE NOCASE"
        case .sizeAscending, .sizeDescending: "files.size"
        }
    }

    /// Names and tags as a search compares them: lowercased in every script (SQLite's `LIKE`
    /// folds ASCII only: `über` would not find `Über.txt`), and composed, so that a name a Mac
    /// wrote decomposed (`U` and a combining diaeresis) is found by the `Ü` a keyboard types.
    static let folded = DatabaseFunction("wharf_fold", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).map(Self.fold)
    }

    static func fold(_ text: String) -> String {
        let lowered = text.lowercased()
        return Self.isASCII(lowered) ? lowered : lowered.precomposedStringWithCanonicalMapping
    }

    static func isASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }

    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
