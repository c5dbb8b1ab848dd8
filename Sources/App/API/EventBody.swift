import Storage
import TextBytes

/// A live event as `/api/events` and `/api/ws` send it: `{"id", "type", "file", "at"}`, with
/// `detail` for a failed job. `file` is the file's record as it is now, or `{"id": ...}` alone
/// once it is gone (and `null` for an event of no file).
public struct EventBody: Codable, Sendable, Equatable {
    /// The event's id: a client resumes after the last it saw.
    public var id: Int64
    /// `file.created`, `file.updated`, `file.deleted`, `thumbnail.ready` or `job.failed`.
    public var type: String
    /// The file it is about.
    public var file: EventFileBody?
    /// When it happened, RFC 3339 in UTC.
    public var at: String
    /// A failed job's error.
    public var detail: String?

    init(_ event: Event, file: EventFileBody?) {
        self.id = event.id
        self.type = event.kind.rawValue
        self.file = file
        self.at = RFC3339.format(microseconds: event.at)
        self.detail = event.detail
    }
}

/// The file of an event: its record, or only its id when it no longer exists.
public enum EventFileBody: Codable, Sendable, Equatable {
    /// The record as it is now.
    case record(FileRecordBody)
    /// The id of a file that is gone.
    case gone(id: String)

    enum CodingKeys: String, CodingKey { case id }

    /// The file's id, either way.
    public var id: String {
        switch self {
        case .record(let record): record.id
        case .gone(let id): id
        }
    }

    public init(from decoder: any Decoder) throws {
        if let record = try? FileRecordBody(from: decoder) {
            self = .record(record)
        } else {
            self = .gone(id: try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .id))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .record(let record): try record.encode(to: encoder)
        case .gone(let id):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
        }
    }
}
