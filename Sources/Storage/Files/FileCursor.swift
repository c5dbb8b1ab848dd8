import Foundation

/// A keyset position in a listing: the sort key and id of the last item seen.
///
/// Its text form is opaque to clients (URL-safe base64 of a small JSON object) and names the sort
/// it belongs to, so a cursor cannot be replayed against another order.
public struct FileCursor: Sendable, Equatable {
    /// The sort key of the last item: text for names, a number otherwise.
    public enum Key: Sendable, Equatable {
        case text(String)
        case number(Int64)
    }

    /// The order this cursor belongs to.
    public var sort: FileListQuery.Sort
    /// Sort key of the last item seen.
    public var key: Key
    /// Id of the last item seen.
    public var id: FileID

    /// Creates a cursor.
    public init(sort: FileListQuery.Sort, key: Key, id: FileID) {
        self.sort = sort
        self.key = key
        self.id = id
    }

    /// The cursor that resumes after `record` in `sort` order.
    public init(after record: FileRecord, sort: FileListQuery.Sort) {
        let key: Key
        switch sort {
        case .createdAtAscending, .createdAtDescending: key = .number(record.createdAt)
        case .nameAscending, .nameDescending: key = .text(record.name)
        case .sizeAscending, .sizeDescending: key = .number(record.size)
        }
        self.init(sort: sort, key: key, id: record.id)
    }

    private struct Wire: Codable {
        var s: String
        var k: String?
        var n: Int64?
        var i: String
    }

    /// The opaque text form.
    public var encoded: String {
        var wire = Wire(s: self.sort.rawValue, i: self.id.rawValue)
        switch self.key {
        case .text(let text): wire.k = text
        case .number(let number): wire.n = number
        }
        let json = (try? JSONEncoder().encode(wire)) ?? Data()
        return json.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes the text form; throws `invalidCursor` for anything else.
    public init(encoded: String) throws {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard encoded.utf8.count <= 2048,
            let data = Data(base64Encoded: base64),
            let wire = try? JSONDecoder().decode(Wire.self, from: data),
            let sort = FileListQuery.Sort(rawValue: wire.s),
            let id = FileID(wire.i)
        else { throw StorageError.foreignCursor }
        switch (sort, wire.k, wire.n) {
        case (.nameAscending, .some(let text), nil), (.nameDescending, .some(let text), nil):
            self.init(sort: sort, key: .text(text), id: id)
        case (.createdAtAscending, nil, .some(let number)), (.createdAtDescending, nil, .some(let number)),
            (.sizeAscending, nil, .some(let number)), (.sizeDescending, nil, .some(let number)):
            self.init(sort: sort, key: .number(number), id: id)
        default:
            throw StorageError.foreignCursor
        }
    }
}
