import GRDB

/// The SQL of one listing page: filters, then keyset paging on (sort column, id).
///
/// One more row than the limit is fetched, to learn whether a next page exists.
struct FileListStatement {
    let sql: String
    let arguments: StatementArguments

    init(_ query: FileListQuery) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let owner = query.owner {
            conditions.append("owner = ?")
            _ = arguments.append(contentsOf: [owner])
        }
        if let text = query.nameContains {
            conditions.append("name LIKE ? ESCAPE '\\'")
            _ = arguments.append(contentsOf: ["%" + Self.escapeLike(text) + "%"])
        }
        if let prefix = query.contentTypePrefix {
            conditions.append("content_type LIKE ? ESCAPE '\\'")
            _ = arguments.append(contentsOf: [Self.escapeLike(prefix) + "%"])
        }
        let column = Self.column(of: query.sort)
        let comparison = query.sort.isDescending ? "<" : ">"
        if let cursor = query.after {
            conditions.append("(\(column) \(comparison) ? OR (\(column) = ? AND id \(comparison) ?))")
            let key: any DatabaseValueConvertible
            switch cursor.key {
            case .text(let text): key = text
            case .number(let number): key = number
            }
            _ = arguments.append(contentsOf: [key, key, cursor.id.rawValue])
        }
        let direction = query.sort.isDescending ? "DESC" : "ASC"
        var sql = FileRow.selectWithIntegrity
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY files.\(column) \(direction), files.id \(direction) LIMIT ?"
        _ = arguments.append(contentsOf: [query.limit + 1])
        self.sql = sql
        self.arguments = arguments
    }

    static func column(of sort: FileListQuery.Sort) -> String {
        switch sort {
        case .createdAtAscending, .createdAtDescending: "created_at"
        case .nameAscending, .nameDescending: "name"
        case .sizeAscending, .sizeDescending: "size"
        }
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
