import GRDB

/// Reads that every request makes run through statements each connection prepares once.
///
/// Preparing a statement (SQLite's parser, GRDB's authorizer and region tracking) took a third of
/// a small API request (`GET /api/files/{id}` reads its user and its file); GRDB's query interface
/// and plain `fetchOne(db, sql:)` prepare anew every time. The SQL of these reads is fixed or one of
/// a bounded set of shapes (listing filters), with every value bound, so the cache stays small.
extension FetchableRecord where Self: TableRecord {
    /// The record whose `column` holds `value`, if any.
    static func fetchOne(_ db: Database, where column: String, is value: some DatabaseValueConvertible) throws -> Self? {
        try Self.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(Self.databaseTableName) WHERE \(column) = ?"), arguments: [value])
    }
}

extension Row {
    /// The first row of `sql`, by a statement prepared once per connection.
    static func fetchOne(_ db: Database, cachedSQL sql: String, arguments: StatementArguments) throws -> Row? {
        try Row.fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }

    /// Every row of `sql`, by a statement prepared once per connection.
    static func fetchAll(_ db: Database, cachedSQL sql: String, arguments: StatementArguments) throws -> [Row] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }
}
