import Foundation
import GRDB

/// The SQL of one listing page: filters, then keyset paging on (sort column, id).
///
/// One more row than the limit is fetched, to learn whether a next page exists.
struct FileListStatement {
    let sql: String
    let arguments: StatementArguments

    /// How a tag filter finds its files in `file_tags` (one row per tag of a file, folded).
    enum TagLookup {
        /// Reads the tag's rows and sorts their files: when they are few, whatever the listing's size.
        case fromTheTagsRows
        /// Checks each file in the listing's order: when many carry the tag, a page fills soon.
        case fileByFile
    }

    /// Up to this many files of a tag are read from its rows and sorted (a few ms); past it, one
    /// file in every `files / fewTaggedFiles` at least carries it, so that following the listing's
    /// order finds a page of 50 within a hundredth of the files (10,000 of a million).
    static let fewTaggedFiles = 5_000

    /// The lookup of `query`'s tag, chosen by counting its files (no further than `fewTaggedFiles`).
    static func tagLookup(for query: FileListQuery, in db: Database) throws -> TagLookup {
        guard let tag = query.tag else { return .fileByFile }
        var sql = "SELECT count(*) FROM (SELECT 1 FROM file_tags WHERE tag = ?"
        var arguments: StatementArguments = [Self.fold(tag)]
        for owner in Self.owners(of: query) {
            sql += " AND owner = ?"
            _ = arguments.append(contentsOf: [owner])
        }
        let statement = try db.cachedStatement(sql: sql + " LIMIT \(Self.fewTaggedFiles + 1))")
        let count = try Int.fetchOne(statement, arguments: arguments) ?? 0
        return count > Self.fewTaggedFiles ? .fileByFile : .fromTheTagsRows
    }

    /// The owners a listing is held to: both when both are set (a user asking for another's
    /// files finds none).
    private static func owners(of query: FileListQuery) -> [String] {
        [query.owner, query.ownedBy].compactMap(\.self)
    }

    init(_ query: FileListQuery, tagLookup: TagLookup = .fileByFile) {
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
        }
        if let tag = query.tag {
            switch tagLookup {
            case .fromTheTagsRows:
                // SQLite keeps the order of a CROSS JOIN: the tag's rows first, whatever it guesses.
                source = "file_tags CROSS JOIN files ON files.id = file_tags.file_id"
                conditions.append("file_tags.tag = ?")
                _ = arguments.append(contentsOf: [Self.fold(tag)])
                for owner in Self.owners(of: query) {
                    conditions.append("file_tags.owner = ?")
                    _ = arguments.append(contentsOf: [owner])
                }
            case .fileByFile:
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

    /// Names and tags as a search compares them: lowercased in every script (SQLite's `LIKE` folds ASCII
    /// only: `über` would not find `Über.txt`), and composed, so that a name a Mac wrote
    /// decomposed (`U` and a combining diaeresis) is found by the `Ü` a keyboard types.
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
